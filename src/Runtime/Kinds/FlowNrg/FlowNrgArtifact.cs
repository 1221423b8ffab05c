using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.FlowNrg;

/// <summary>
/// The stage cache's form of a guided generator: the generator's model file (<c>generator.safetensors</c>,
/// <see cref="FlowGeneratorFile"/>), the latent reward's (<c>latent_reward.safetensors</c>, <see cref="LatentRewardFile"/>),
/// both with the <c>flow_nrg</c> stage's provenance, and the guidance settings (<c>guidance.json</c>: weights, strength,
/// coefficient cap). Both models are an upstream stage's, which a run exports under that stage's name; this stage
/// trains nothing of its own, so a run exports no file for it.
/// </summary>
public static class FlowNrgArtifact
{
    private const string GeneratorFile = "generator" + ModelFile.Extension;
    private const string RewardFile = "latent_reward" + ModelFile.Extension;
    private const string GuidanceFile = "guidance.json";

    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<GuidedFlowGenerator>(
        "flow_nrg",
        (guided, folder, provenance) =>
        {
            FlowGeneratorFile.Save(guided.Generator, Path.Combine(folder, GeneratorFile), provenance);
            LatentRewardFile.Save(guided.Reward, Path.Combine(folder, RewardFile), provenance);
            DurableFile.WriteAllText(Path.Combine(folder, GuidanceFile), JsonSerializer.Serialize(new GuidanceHeader(guided.Weights.ToDictionary(w => w.Key, w => w.Value), guided.Strength, guided.CoefficientCap)));
        },
        (folder, device) =>
        {
            var generator = FlowGeneratorFile.Load(Path.Combine(folder, GeneratorFile), device);
            var reward = LatentRewardFile.Load(Path.Combine(folder, RewardFile), device);
            var guidance = JsonSerializer.Deserialize<GuidanceHeader>(File.ReadAllText(Path.Combine(folder, GuidanceFile))) ?? throw new InvalidDataException($"empty {GuidanceFile}");
            return new GuidedFlowGenerator(generator, reward, guidance.Weights, guidance.Strength, guidance.CoefficientCap);
        });

    private sealed record GuidanceHeader(Dictionary<string, double> Weights, double Strength, double CoefficientCap);
}

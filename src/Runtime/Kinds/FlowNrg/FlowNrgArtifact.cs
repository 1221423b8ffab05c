using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.FlowNrg;

/// <summary>
/// The stage cache's form of a guided generator: the generator (<c>generator.ckpt</c>), the latent reward
/// (<c>latent_reward.ckpt</c>) and the guidance settings (<c>guidance.json</c>: weights, strength, coefficient cap).
/// </summary>
public static class FlowNrgArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<GuidedFlowGenerator>(
        "flow_nrg",
        (guided, folder) =>
        {
            GeneratorCheckpoint.Save(guided.Generator, Path.Combine(folder, "generator.ckpt"));
            LatentRewardArtifact.Save(guided.Reward, Path.Combine(folder, LatentRewardArtifact.FileName));
            DurableFile.WriteAllText(Path.Combine(folder, "guidance.json"), JsonSerializer.Serialize(new GuidanceHeader(guided.Weights.ToDictionary(w => w.Key, w => w.Value), guided.Strength, guided.CoefficientCap)));
        },
        (folder, device) =>
        {
            var generator = GeneratorCheckpoint.Load(Path.Combine(folder, "generator.ckpt"), device);
            var reward = LatentRewardArtifact.Load(Path.Combine(folder, LatentRewardArtifact.FileName), device);
            var guidance = JsonSerializer.Deserialize<GuidanceHeader>(File.ReadAllText(Path.Combine(folder, "guidance.json"))) ?? throw new InvalidDataException("empty guidance.json");
            return new GuidedFlowGenerator(generator, reward, guidance.Weights, guidance.Strength, guidance.CoefficientCap);
        });

    private sealed record GuidanceHeader(Dictionary<string, double> Weights, double Strength, double CoefficientCap);
}

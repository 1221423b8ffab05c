using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.Autoencoder;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Tests.Data;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Tests.Generation;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Safetensors;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>
/// <c>init = file("...")</c> at the runtime (docs/language.md, "Given weights"): a stage's freshly built network takes
/// the file's tensors, and every way a file can fail to fit it is one error that names the stage, the file and the
/// tensor with the expected and the found shape, raised before any training step.
/// </summary>
public sealed class GivenWeightsTests
{
    private static readonly VideoShape Video = new(3, 4, 8, 8);
    private static readonly LatentShape Latent = new(4, 4, 4, 4);
    private static readonly string[] Three = ["VQ", "MQ", "TA"];

    [Fact]
    public void An_autoencoder_trained_zero_steps_from_a_model_file_is_the_file_bit_for_bit()
    {
        using var folder = TestFiles.NewFolder();
        var saved = ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(1));
        AutoencoderFile.Save(saved, Path.Combine(folder, "ae.safetensors"));
        using var given = Open(folder, "ae", ModelKinds.Autoencoder, "ae.safetensors")!;

        var (model, _) = AutoencoderTrainer.Fit(Videos(), new AutoencoderSettings(Latent, 8, 0, 1e-3, 4, 11), CPU, "ae", given: given);

        Assert.True(ModuleStates.SameState(saved, model));
    }

    [Fact]
    public void An_autoencoder_trained_from_given_weights_starts_from_them()
    {
        using var folder = TestFiles.NewFolder();
        var saved = ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(2));
        AutoencoderFile.Save(saved, Path.Combine(folder, "ae.safetensors"));
        using var given = Open(folder, "ae", ModelKinds.Autoencoder, "ae.safetensors")!;

        var (model, _) = AutoencoderTrainer.Fit(Videos(), new AutoencoderSettings(Latent, 8, 1, 1e-6, 4, 11), CPU, "ae", given: given);

        // Adam's first step moves every weight by at most the learning rate (|m̂ / (√v̂ + ε)| ≤ 1), so one step of
        // lr 1e-6 from the file ends within 1e-6 of it (plus float32 rounding: half an ulp at |w| ≤ 1 is 6e-8), and
        // not at it: the step trained.
        var before = saved.state_dict();
        var moved = model.state_dict().Select(p => (p.Value - before[p.Key]).abs().max().item<float>()).ToArray();
        Assert.All(moved, d => Assert.True(d <= 1.06e-6, $"moved {d}"));
        Assert.Contains(moved, d => d > 0);
    }

    [Fact]
    public void A_tensor_of_another_shape_is_one_error_with_the_tensor_and_both_shapes()
    {
        using var folder = TestFiles.NewFolder();
        AutoencoderFile.Save(ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(3)), Path.Combine(folder, "ae.safetensors"));
        using var given = Open(folder, "ae", ModelKinds.Autoencoder, "ae.safetensors")!;
        var log = new List<string>();

        var error = Assert.Throws<PipelineException>(() => AutoencoderTrainer.Fit(Videos(), new AutoencoderSettings(Latent, 16, 5, 1e-3, 4, 11), CPU, "ae", (step, _) => log.Add($"step {step}"), given: given));

        Assert.Equal(RuntimeDiagnosticCodes.GivenWeightsMismatch, error.Code);
        Assert.Equal($"stage ae: {Path.Combine(folder, "ae.safetensors")}: tensor 'encoder.0.weight' has shape [8, 12, 3, 3], F32; the stage's network expects [16, 12, 3, 3], F32; give weights of the network this stage builds (its width, shapes and dimensions), or change the stage to match them.", error.Message);
        Assert.Empty(log);
    }

    [Fact]
    public void A_missing_or_an_unexpected_tensor_is_named()
    {
        using var folder = TestFiles.NewFolder();
        var tensors = ModuleTensors.Collect(ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(4)));
        SafetensorsFile.Write(Path.Combine(folder, "missing.safetensors"), new Dictionary<string, string>(), tensors.Where(t => t.Name != "decoder.0.bias").ToArray());
        SafetensorsFile.Write(Path.Combine(folder, "extra.safetensors"), new Dictionary<string, string>(), [.. tensors, ("decoder.9.weight", ones(2))]);

        using var missing = Open(folder, "ae", ModelKinds.Autoencoder, "missing.safetensors")!;
        var absent = Assert.Throws<PipelineException>(() => missing.LoadInto(new VideoAutoencoder(Video, Latent, 8), string.Empty));
        Assert.StartsWith($"stage ae: {Path.Combine(folder, "missing.safetensors")}: tensor 'decoder.0.bias' is missing (expected shape [", absent.Message, StringComparison.Ordinal);
        Assert.Equal(RuntimeDiagnosticCodes.GivenWeightsMismatch, absent.Code);

        using var extra = Open(folder, "ae", ModelKinds.Autoencoder, "extra.safetensors")!;
        var unexpected = Assert.Throws<PipelineException>(() => extra.LoadInto(new VideoAutoencoder(Video, Latent, 8), string.Empty));
        Assert.StartsWith($"stage ae: {Path.Combine(folder, "extra.safetensors")}: tensor 'decoder.9.weight' is unexpected: the stage's network has no such tensor;", unexpected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_of_another_kind_is_refused_by_its_metadata()
    {
        using var folder = TestFiles.NewFolder();
        AutoencoderFile.Save(ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(5)), Path.Combine(folder, "ae.safetensors"));

        var error = Assert.Throws<PipelineException>(() => Open(folder, "gen", ModelKinds.FlowGenerator, "ae.safetensors"));

        Assert.Equal(RuntimeDiagnosticCodes.GivenWeightsDisagree, error.Code);
        Assert.Equal($"stage gen: {Path.Combine(folder, "ae.safetensors")} holds a model of kind autoencoder (pipeline.model), not flow_generator; give it a flow_generator model file.", error.Message);
    }

    [Fact]
    public void Metadata_that_disagrees_with_the_stage_is_an_error_and_json_values_compare_as_json()
    {
        using var folder = TestFiles.NewFolder();
        var reward = new VideoRewardModel(ModuleStates.Randomized(new VideoRewardNetwork(Three, RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, 8), new Random(6)), new VideoShape(3, 4, 16, 16), RewardLoss.Btt(5), CPU);
        VideoRewardFile.Save(reward, Path.Combine(folder, "vr.safetensors"));
        using var given = Open(folder, "vr", ModelKinds.VideoReward, "vr.safetensors")!;

        given.RequireAgreement(ModelMetadata.Dimensions, "[\"VQ\", \"MQ\", \"TA\"]", "for the dimensions", "fix");
        var error = Assert.Throws<PipelineException>(() => given.RequireAgreement(ModelMetadata.Dimensions, "[\"VQ\",\"TA\"]", "for the dimensions", "give it pairs of the file's dimensions, in its order"));

        Assert.Equal(RuntimeDiagnosticCodes.GivenWeightsDisagree, error.Code);
        Assert.Equal($"stage vr: {Path.Combine(folder, "vr.safetensors")} was trained for the dimensions [\"VQ\",\"MQ\",\"TA\"] (pipeline.dimensions); the stage needs [\"VQ\",\"TA\"]; give it pairs of the file's dimensions, in its order.", error.Message);
    }

    [Fact]
    public void A_latent_reward_used_as_given_keeps_the_files_centre_and_score_scales()
    {
        using var folder = TestFiles.NewFolder();
        var autoencoder = ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(7));
        var saved = ModuleStates.Randomized(new LatentRewardNetwork(Latent, 8, Three), new Random(8));
        LatentRewardFile.Save(new LatentRewardModel(saved, autoencoder, Three, true, [0f, 0f, 0f, 0f], [1f, 1f, 1f, 1f]), Path.Combine(folder, "latent.safetensors"));
        using var given = Open(folder, "latent", ModelKinds.LatentReward, "latent.safetensors")!;
        var pairs = Pairs();

        var (model, _) = LatentRewardTrainer.Fit(pairs, autoencoder, new LatentRewardSettings(true, 8, 0, 1e-3, 4, 13), CPU, "latent", given: given);

        Assert.True(ModuleStates.SameState(saved, model.Network));
    }

    [Fact]
    public void A_clean_latent_reward_file_used_as_given_by_a_noise_aware_stage_is_refused_and_used_as_clean_it_is_the_file()
    {
        using var folder = TestFiles.NewFolder();
        var world = GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);
        var context = GenerationFixtures.Context(output: folder);
        var autoencoder = (VideoAutoencoder)AutoencoderStage.Run(context, "ae", context.MLContextFor("ae").Models().Autoencoder(KindDefaults.Of<AutoencoderOptions>() with { Data = world.Videos, Latent = [2, 2, 2, 2], Width = 8, Steps = 2, Lr = 1e-3, Batch = 8 })).Artifact;
        var pairs = PreferencePairSet.FromWorld(world.Synthetic, world.Pairs(16).Pairs, [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA]);
        LatentRewardOptions Options(bool noisy, int epochs, WeightsFile? init) =>
            KindDefaults.Of<LatentRewardOptions>() with { Train = pairs, Autoencoder = autoencoder, Noisy = noisy, Width = 8, Epochs = epochs, Lr = 1e-3, Batch = 8, Init = init };
        var clean = (LatentRewardModel)LatentRewardStage.Run(context, "clean", context.MLContextFor("clean").Rewards().LatentReward(Options(false, 1, null))).Artifact;
        var path = Path.Combine(folder, "clean.safetensors");
        LatentRewardFile.Save(clean, path);
        var init = WeightsFile.File(path);

        var error = Assert.Throws<PipelineException>(() => LatentRewardStage.Run(context, "latent", context.MLContextFor("latent").Rewards().LatentReward(Options(true, 0, init))));
        var asClean = (LatentRewardModel)LatentRewardStage.Run(context, "latent", context.MLContextFor("latent").Rewards().LatentReward(Options(false, 0, init))).Artifact;

        Assert.Equal(RuntimeDiagnosticCodes.GivenWeightsDisagree, error.Code);
        Assert.Equal($"stage latent: {path} was trained with noise_aware = false (pipeline.noise_aware); the stage needs true; set noisy = false on the stage (flow_nrg then needs ablation = true), or train it on noisy latents (epochs > 0).", error.Message);
        Assert.True(ModuleStates.SameState(clean.Network, asClean.Network));
        Assert.False(asClean.Noisy);
    }

    [Fact]
    public void A_file_that_is_no_state_dict_is_one_error()
    {
        using var folder = TestFiles.NewFolder();
        File.WriteAllText(Path.Combine(folder, "weights.pt"), "not a zip archive");

        var error = Assert.Throws<PipelineException>(() => Open(folder, "ae", ModelKinds.Autoencoder, "weights.pt"));

        Assert.Equal(RuntimeDiagnosticCodes.GivenWeightsUnreadable, error.Code);
        Assert.StartsWith($"stage ae: {Path.Combine(folder, "weights.pt")} is not a PyTorch state dict (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); save one with torch.save(model.state_dict(), path), or give a .safetensors model file.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The weights <c>init = file(name)</c> names, for a stage of an experiment whose file is in <paramref name="folder"/>.</summary>
    internal static GivenWeights? Open(string folder, string stage, string kind, string name)
    {
        var info = new ExperimentInfo("given", new string('a', 64), "experiment given {}\n", "0", "0", 1, "cpu", [new StageInfo(stage, kind, new string('b', 64), [], "given.pipe:1:1")]);
        var context = new RunContext(info, folder, folder);
        return GivenWeights.Open(context, stage, kind, WeightsFile.File(name));
    }

    private static VideoSet Videos()
    {
        var random = new Random(9);
        return new VideoSet(Video, Enumerable.Range(0, 8).Select(i => new PromptedVideo($"prompt {i}", new Video(Video, Enumerable.Range(0, Video.Length).Select(_ => (float)random.NextDouble()).ToArray()))).ToArray());
    }

    /// <summary>Four pairs of random videos, every dimension labelled "A better" (the labels do not matter at zero epochs).</summary>
    private static Pipeline.Runtime.Data.Pairs.RewardPairData Pairs()
    {
        var random = new Random(10);
        float[] Random(int count) => Enumerable.Range(0, count * Video.Length).Select(_ => (float)random.NextDouble()).ToArray();
        return new Pipeline.Runtime.Data.Pairs.RewardPairData(Video, Three, ["a", "b", "c", "d"], Pipeline.Runtime.Core.VideoRows.FromFloats(Video, Random(4)), Pipeline.Runtime.Core.VideoRows.FromFloats(Video, Random(4)), new sbyte[12], Enumerable.Repeat(true, 12).ToArray(), null, null);
    }
}

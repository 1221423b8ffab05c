using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.FlowNrg;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Tests.Data;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>
/// The stage cache's artifacts are model files: every trained kind goes into an entry's folder and back bit for bit
/// (the weights, the buffers, every setting the network needs), with the provenance of the stage that made it, which
/// is why a run that loads its stages from the cache computes exactly the numbers of one that trains them.
/// </summary>
public sealed class ArtifactStoreTests
{
    private static readonly VideoShape Video = new(3, 4, 8, 8);
    private static readonly LatentShape Latent = new(4, 4, 4, 4);
    private static readonly string[] Three = ["VQ", "MQ", "TA"];
    private static readonly ModelProvenance Made = new("videoalign_mini", new string('a', 64), "stage", new string('b', 64), "kind");

    [Fact]
    public void Every_trained_kind_is_one_model_file_that_loads_back_bit_for_bit_with_its_provenance()
    {
        var random = new Random(5);
        var reward = new VideoRewardModel(ModuleStates.Randomized(new VideoRewardNetwork(Three, RewardTokenMode.Shared, RewardPromptTokens.Vocabulary, 8), random), new VideoShape(3, 4, 16, 16), RewardLoss.Btt(5), CPU, new RewardNormalization([0.1 + 0.2, -1.0 / 3, 2], [Math.PI, 1e-6, 7.25]))
        {
            VideoFps = 2.5,
        };
        var cases = new (string Type, object Artifact, Func<object, object, bool> Same)[]
        {
            ("autoencoder", ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), random), (a, b) => ModuleStates.SameState((nn.Module)a, (nn.Module)b)),
            ("flow_generator", ConvGenerator(random), (a, b) => SameGenerator((FlowGeneratorModel)a, (FlowGeneratorModel)b)),
            ("flow_generator", new FlowGeneratorModel(ModuleStates.Randomized(new VelocityMlp(Video.Length, 16), random), Video, LatentSpace.Pixels(Video), 3, 1.5, CPU), (a, b) => SameGenerator((FlowGeneratorModel)a, (FlowGeneratorModel)b)),
            ("video_reward", reward, (a, b) => SameReward((VideoRewardModel)a, (VideoRewardModel)b)),
            ("latent_reward", LatentReward(random), (a, b) => SameLatentReward((LatentRewardModel)a, (LatentRewardModel)b)),
        };

        foreach (var (type, artifact, same) in cases)
        {
            using var folder = TestFiles.NewFolder();
            ArtifactStore.Save(artifact, folder, Made);

            Assert.True(ArtifactStore.IsModelFile(artifact), type);
            Assert.Equal(["model.safetensors", "type"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(type, File.ReadAllText(Path.Combine(folder, "type")));
            Assert.Equal(Made, ModelFile.ReadMetadata(Path.Combine(folder, "model.safetensors")).Provenance);
            Assert.True(same(artifact, ArtifactStore.Load(folder, CPU)), $"{type} did not load back as it was saved");
        }
    }

    [Fact]
    public void A_guided_generator_is_its_two_model_files_and_its_guidance_and_samples_the_same_videos_after_loading()
    {
        var random = new Random(6);
        var guided = new GuidedFlowGenerator(ConvGenerator(random), LatentReward(random), new Dictionary<string, double> { ["VQ"] = 0.1, ["MQ"] = 0.2, ["TA"] = 0.7 }, 1.5, 3.25);
        using var folder = TestFiles.NewFolder();

        ArtifactStore.Save(guided, folder, Made);
        var loaded = (GuidedFlowGenerator)ArtifactStore.Load(folder, CPU);

        Assert.False(ArtifactStore.IsModelFile(guided));
        Assert.Equal(["generator.safetensors", "guidance.json", "latent_reward.safetensors", "type"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Made, ModelFile.ReadMetadata(Path.Combine(folder, "generator.safetensors")).Provenance);
        Assert.Equal(Made, ModelFile.ReadMetadata(Path.Combine(folder, "latent_reward.safetensors")).Provenance);
        Assert.True(SameGenerator(guided.Generator, loaded.Generator));
        Assert.True(SameLatentReward(guided.Reward, loaded.Reward));
        Assert.Equal(guided.Weights, loaded.Weights);
        Assert.Equal((1.5, 3.25), (loaded.Strength, loaded.CoefficientCap));
        string[] prompts = ["a red disk moving left", "a blue square"];
        Assert.Equal(guided.Generate(prompts, 11).Select(v => v.Data), loaded.Generate(prompts, 11).Select(v => v.Data));
    }

    [Fact]
    public void Without_a_stage_cache_a_run_exports_the_models_it_trained_from_memory_and_says_which_it_cannot()
    {
        using var folder = TestFiles.NewFolder();
        var random = new Random(7);
        var info = new ExperimentInfo("tiny", new string('c', 64), "experiment tiny {}\n", "0", "0", 1, "cpu",
        [
            new StageInfo("ae", "autoencoder", new string('d', 64), [], "tiny.pipe:1:1"),
            new StageInfo("old", "autoencoder", new string('e', 64), [], "tiny.pipe:2:1"),
            new StageInfo("report", "win_rates", new string('f', 64), [], "tiny.pipe:3:1"),
        ]);
        var log = new List<string>();
        var run = new RunContext(info, folder, folder, log.Add);
        var autoencoder = ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), random);
        var outputs = new Dictionary<string, StageOutput>
        {
            ["ae"] = new("ae", "autoencoder", autoencoder),
            ["old"] = new("old", "autoencoder", autoencoder) { Cached = true },
            ["report"] = new("report", "win_rates", "not a model"),
        };

        var exported = ModelExport.Write(run, outputs)!;

        Assert.Equal([Path.Combine(folder, "models", "ae.safetensors")], exported.Files);
        Assert.Equal(0, exported.Linked);
        Assert.Equal(new FileInfo(exported.Files[0]).Length, exported.Bytes);
        Assert.Equal(new ModelProvenance("tiny", new string('c', 64), "ae", new string('d', 64), "autoencoder"), ModelFile.ReadMetadata(exported.Files[0]).Provenance);
        Assert.True(ModuleStates.SameState(autoencoder, AutoencoderFile.Load(exported.Files[0], CPU)));
        Assert.Contains("stage old: not exported (its cache entry was removed during the run)", log);
        Assert.Equal(["models"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_rewritten_model_file_has_the_new_metadata_and_the_same_tensor_bytes()
    {
        using var folder = TestFiles.NewFolder();
        var source = Path.Combine(folder, "ae.safetensors");
        var target = Path.Combine(folder, "exported.safetensors");
        AutoencoderFile.Save(ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), new Random(8)), source, Made);
        var metadata = ModelFile.ReadMetadata(source);
        metadata.Provenance = Made.ExportedBy("unguided", new string('9', 64));

        SafetensorsFile.Rewrite(source, target, metadata.Values);

        Assert.Equal(Made.ExportedBy("unguided", new string('9', 64)), ModelFile.ReadMetadata(target).Provenance);
        Assert.Equal(SafetensorsFile.Open(source).Tensors, SafetensorsFile.Open(target).Tensors, new EntryComparer());
        Assert.Equal(DataSection(source), DataSection(target));
        Assert.True(ModuleStates.SameState(AutoencoderFile.Load(source, CPU), AutoencoderFile.Load(target, CPU)));
    }

    [Fact]
    public void Linking_a_file_twice_to_one_name_leaves_one_link_and_no_temporary_file()
    {
        using var folder = TestFiles.NewFolder();
        var source = Path.Combine(folder, "source.bin");
        File.WriteAllBytes(source, [1, 2, 3]);
        var target = Path.Combine(folder, "out", "target.bin");

        Assert.True(DurableFile.LinkOrCopy(source, target));
        Assert.True(DurableFile.LinkOrCopy(source, target));

        Assert.Equal(["target.bin"], Directory.GetFiles(Path.Combine(folder, "out")).Select(Path.GetFileName));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(target));

        // One file under two names: a write through one shows through the other.
        File.AppendAllText(source, "x");
        Assert.Equal(4, new FileInfo(target).Length);
    }

    private static FlowGeneratorModel ConvGenerator(Random random)
    {
        var autoencoder = ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), random);
        return new FlowGeneratorModel(ModuleStates.Randomized(new VelocityConvNet(Latent, 8), random), Video, LatentSpace.Restore(autoencoder, [0.1f, -0.2f, 0.3f, 1f / 3], [1f, 0.5f, 2f, 1.5f]), 4, 3.0, CPU);
    }

    private static LatentRewardModel LatentReward(Random random) =>
        new(ModuleStates.Randomized(new LatentRewardNetwork(Latent, 8, Three), random), ModuleStates.Randomized(new VideoAutoencoder(Video, Latent, 8), random), Three, true, [0.25f, -0.5f, 1f / 3, 0f], [1f, 2f, 0.75f, 1.25f]);

    private static bool SameGenerator(FlowGeneratorModel a, FlowGeneratorModel b) =>
        a.Shape == b.Shape && a.SamplingSteps == b.SamplingSteps && a.CfgScale == b.CfgScale
        && a.Space.Mean.SequenceEqual(b.Space.Mean) && a.Space.Deviation.SequenceEqual(b.Space.Deviation)
        && ModuleStates.SameState(a.Network, b.Network) && (a.Space.Autoencoder is null ? b.Space.Autoencoder is null : b.Space.Autoencoder is not null && ModuleStates.SameState(a.Space.Autoencoder, b.Space.Autoencoder));

    private static bool SameReward(VideoRewardModel a, VideoRewardModel b) =>
        a.Shape == b.Shape && a.Loss == b.Loss && a.Tokens == b.Tokens && a.VideoFps == b.VideoFps && a.Dimensions.SequenceEqual(b.Dimensions)
        && a.Normalization!.Mean.SequenceEqual(b.Normalization!.Mean) && a.Normalization.StandardDeviation.SequenceEqual(b.Normalization.StandardDeviation)
        && ModuleStates.SameState(a.Network, b.Network);

    private static bool SameLatentReward(LatentRewardModel a, LatentRewardModel b) =>
        a.Noisy == b.Noisy && a.Dimensions.SequenceEqual(b.Dimensions) && a.Mean.SequenceEqual(b.Mean) && a.Deviation.SequenceEqual(b.Deviation)
        && ModuleStates.SameState(a.Network, b.Network) && ModuleStates.SameState(a.Autoencoder, b.Autoencoder);

    private static byte[] DataSection(string path)
    {
        var file = SafetensorsFile.Open(path);
        return File.ReadAllBytes(path)[(int)file.DataStart..];
    }

    private sealed class EntryComparer : IEqualityComparer<SafetensorsEntry>
    {
        public bool Equals(SafetensorsEntry? x, SafetensorsEntry? y) =>
            x is not null && y is not null && (x.Name, x.DType, x.Begin, x.End) == (y.Name, y.DType, y.Begin, y.End) && x.Shape.SequenceEqual(y.Shape);

        public int GetHashCode(SafetensorsEntry obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}

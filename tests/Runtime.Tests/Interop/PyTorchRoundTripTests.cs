using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Tests.Data;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Runtime.Torch;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>
/// Every kind of trained model goes from the runtime to PyTorch and back through its model file: the runtime's module
/// with random weights is written by its codec, python/pipeline_models.py loads it into the PyTorch mirror (strictly:
/// every tensor name and shape must match) and runs the same inputs, and the outputs agree within 1e-5; and a mirror
/// with random weights written from PyTorch loads into the runtime's module and gives PyTorch's outputs. PyTorch is
/// Debian's python3-torch 1.13 (scripts/setup.sh); the runtime is TorchSharp on libtorch 2.10, so agreement is to
/// rounding, not bit for bit. The Python side reads and writes safetensors with its own few lines (or the safetensors
/// package when installed), so the format is checked against a second implementation too.
/// </summary>
public sealed class PyTorchRoundTripTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;
    private static readonly string[] Three = ["VQ", "MQ", "TA"];
    private static readonly VideoShape Video = new(3, 4, 8, 8);
    private static readonly LatentShape Latent = new(4, 4, 4, 4);
    private static readonly VideoShape RewardVideo = new(3, 4, 16, 16);
    private static readonly float[] LatentMean = [0.1f, -0.2f, 0.3f, 0f];
    private static readonly float[] LatentDeviation = [1f, 0.5f, 2f, 1.5f];

    [Fact]
    public void Runtime_model_files_load_into_the_PyTorch_mirrors_and_give_the_runtime_outputs()
    {
        using var folder = TestFiles.NewFolder();
        var random = new Random(22);
        var expected = new Dictionary<string, Dictionary<string, Tensor>>();
        foreach (var (name, kind, save, _) in Cases())
        {
            var model = save(random, Path.Combine(folder, name + ".model.safetensors"), Path.Combine(folder, name + ".lora.safetensors"));
            var inputs = Inputs(kind, random);
            SafetensorsFile.Write(Path.Combine(folder, name + ".inputs.safetensors"), new Dictionary<string, string>(), inputs.Select(i => (i.Key, i.Value)).ToArray());
            expected[name] = Run(kind, model, inputs);
        }

        var log = PythonTorch.Run("pytorch_roundtrip.py", "forward", folder);

        Assert.Contains($"forward: {expected.Count} cases", log);
        AssertClose(expected.Select(e => (e.Key, e.Value, ReadAll(Path.Combine(folder, e.Key + ".pytorch.safetensors")))));
    }

    [Fact]
    public void PyTorch_model_files_load_into_the_runtime_modules_and_give_PyTorch_outputs()
    {
        using var folder = TestFiles.NewFolder();

        var log = PythonTorch.Run("pytorch_roundtrip.py", "create", folder);

        var cases = Cases();
        Assert.Contains($"create: {cases.Count} cases", log);
        AssertClose(cases.Select(c =>
        {
            var model = c.Load(Path.Combine(folder, c.Name + ".model.safetensors"), Path.Combine(folder, c.Name + ".lora.safetensors"));
            var outputs = Run(c.Kind, model, ReadAll(Path.Combine(folder, c.Name + ".inputs.safetensors")));
            return (c.Name, outputs, ReadAll(Path.Combine(folder, c.Name + ".pytorch.safetensors")));
        }));

        // What PyTorch wrote beside the weights reaches the runtime's model as written.
        var reward = VideoRewardFile.Load(Path.Combine(folder, "video_reward_shared.model.safetensors"), CPU);
        Assert.Equal(RewardLoss.Btt(5), reward.Loss);
        Assert.Equal(RewardTokenMode.Shared, reward.Tokens);
        Assert.Equal(RewardVideo, reward.Shape);
        Assert.Equal([0.5, -1.0, 2.0], reward.Normalization!.Mean);
        Assert.Equal([1.5, 0.25, 3.0], reward.Normalization.StandardDeviation);
        var generator = FlowGeneratorFile.Load(Path.Combine(folder, "flow_generator_conv.model.safetensors"), CPU);
        Assert.Equal((4, 3.0), (generator.SamplingSteps, generator.CfgScale));
        Assert.Equal(LatentMean, generator.Space.Mean);
        Assert.Equal(LatentDeviation, generator.Space.Deviation);
        Assert.True(LatentRewardFile.Load(Path.Combine(folder, "latent_reward.model.safetensors"), CPU).Noisy);
    }

    [Fact]
    public void PyTorch_state_dicts_start_the_stages_networks_through_init_and_give_PyTorch_outputs()
    {
        using var folder = TestFiles.NewFolder();

        PythonTorch.Run("pytorch_roundtrip.py", "create", folder);

        // Each network as its stage builds it (the stage's width and shapes), then the state dict's tensors through
        // init (GivenWeights): by the model file's names, strictly, whatever the file's format.
        (string Name, string Kind, Func<GivenWeights, object> Build)[] cases =
        [
            ("autoencoder", "autoencoder", given => Loaded(given, new VideoAutoencoder(Video, Latent, 8), string.Empty)),
            ("flow_generator_conv", "velocity", given => new FlowGeneratorModel(
                Loaded(given, new VelocityConvNet(Latent, 8), "velocity.", "autoencoder."), Video,
                LatentSpace.Restore(Loaded(given, new VideoAutoencoder(Video, Latent, 8), "autoencoder.", "velocity."), LatentMean, LatentDeviation), 4, 3.0, CPU)),
            ("flow_generator_mlp", "pixel_velocity", given => new FlowGeneratorModel(Loaded(given, new VelocityMlp(Video.Length, 16), "velocity."), Video, LatentSpace.Pixels(Video), 4, 1.0, CPU)),
            ("video_reward_separate", "video_reward", given => new VideoRewardModel(Loaded(given, new VideoRewardNetwork(Three, RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, 8), string.Empty), RewardVideo, RewardLoss.Btt(5), CPU)),
            ("video_reward_shared", "video_reward", given => new VideoRewardModel(Loaded(given, new VideoRewardNetwork(Three, RewardTokenMode.Shared, RewardPromptTokens.Vocabulary, 8), string.Empty), RewardVideo, RewardLoss.Btt(5), CPU)),
            ("latent_reward", "latent_reward", given => new LatentRewardModel(
                Loaded(given, new LatentRewardNetwork(Latent, 8, Three), "reward.", "autoencoder."),
                Loaded(given, new VideoAutoencoder(Video, Latent, 8), "autoencoder.", "reward."), Three, true, LatentMean, LatentDeviation)),
        ];
        AssertClose(cases.Select(c =>
        {
            using var given = GivenWeightsTests.Open(folder, "stage", c.Kind, c.Name + ".pt")!;
            Assert.Null(given.Metadata);
            var outputs = Run(c.Kind, c.Build(given), ReadAll(Path.Combine(folder, c.Name + ".inputs.safetensors")));
            return (c.Name, outputs, ReadAll(Path.Combine(folder, c.Name + ".pytorch.safetensors")));
        }));
    }

    private static T Loaded<T>(GivenWeights given, T module, string prefix, params string[] parts)
        where T : nn.Module
    {
        given.LoadInto(module, prefix, parts);
        return module;
    }

    /// <summary>
    /// Each case: its name (the files' stem, shared with pytorch_roundtrip.py), what its model computes, a writer that
    /// builds the runtime's model with random weights and saves it, and a loader.
    /// </summary>
    private static List<(string Name, string Kind, Func<Random, string, string, object> Save, Func<string, string, object> Load)> Cases() =>
    [
        ("autoencoder", "autoencoder",
            (random, path, _) => Saved(Randomized(new VideoAutoencoder(Video, Latent, 8), random), a => AutoencoderFile.Save(a, path)),
            (path, _) => AutoencoderFile.Load(path, CPU)),
        ("flow_generator_conv", "velocity",
            (random, path, _) => Saved(ConvGenerator(random), g => FlowGeneratorFile.Save(g, path)),
            (path, _) => FlowGeneratorFile.Load(path, CPU)),
        ("flow_generator_mlp", "pixel_velocity",
            (random, path, _) => Saved(new FlowGeneratorModel(Randomized(new VelocityMlp(Video.Length, 16), random), Video, LatentSpace.Pixels(Video), 4, 1.0, CPU), g => FlowGeneratorFile.Save(g, path)),
            (path, _) => FlowGeneratorFile.Load(path, CPU)),
        ("lora_adapter", "velocity",
            (random, path, lora) =>
            {
                var generator = Saved(ConvGenerator(random), g => FlowGeneratorFile.Save(g, path));
                var adapter = new LoraAdapter(generator.Network, rank: 2, alpha: 4, seed: 1);
                for (var i = 0; i < adapter.Parameters.Count; i += 2)
                {
                    // A [rank, in·k] at its initial scale ±1/√(in·k); B [out, rank] ±0.1 (it starts at zero).
                    var a = adapter.Parameters[i];
                    Fill(a, random, -1 / Math.Sqrt(a.shape[1]), 1 / Math.Sqrt(a.shape[1]));
                    Fill(adapter.Parameters[i + 1], random, -0.1, 0.1);
                }

                LoraAdapterFile.Save(adapter, "conv", lora);
                adapter.Apply();
                return generator;
            },
            (path, lora) =>
            {
                var generator = FlowGeneratorFile.Load(path, CPU);
                LoraAdapterFile.Load(lora, generator.Network, "conv").Apply();
                return generator;
            }),
        ("video_reward_separate", "video_reward",
            (random, path, _) => Saved(Reward(RewardTokenMode.Separate, random), r => VideoRewardFile.Save(r, path)),
            (path, _) => VideoRewardFile.Load(path, CPU)),
        ("video_reward_shared", "video_reward",
            (random, path, _) => Saved(Reward(RewardTokenMode.Shared, random), r => VideoRewardFile.Save(r, path)),
            (path, _) => VideoRewardFile.Load(path, CPU)),
        ("latent_reward", "latent_reward",
            (random, path, _) => Saved(
                new LatentRewardModel(Randomized(new LatentRewardNetwork(Latent, 8, Three), random), Randomized(new VideoAutoencoder(Video, Latent, 8), random), Three, true, LatentMean, LatentDeviation),
                m => LatentRewardFile.Save(m, path)),
            (path, _) => LatentRewardFile.Load(path, CPU)),
    ];

    /// <summary>The outputs pytorch_roundtrip.py's <c>run</c> computes for the same kind.</summary>
    private static Dictionary<string, Tensor> Run(string kind, object model, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var noGrad = no_grad();
        switch (kind)
        {
            case "autoencoder":
                var autoencoder = (VideoAutoencoder)model;
                autoencoder.eval();
                var latents = autoencoder.Encode(inputs["videos"]);
                var (mean, logSigma) = autoencoder.DecodeDistribution(latents);
                return new() { ["latents"] = latents, ["mean"] = mean, ["log_sigma"] = logSigma };
            case "video_reward":
                var reward = ((VideoRewardModel)model).Network;
                reward.eval();
                return new() { ["scores"] = reward.forward(inputs["videos"], inputs["tokens"]) };
            case "latent_reward":
                var latent = ((LatentRewardModel)model).Network;
                latent.eval();
                return new() { ["scores"] = latent.forward(inputs["x"], inputs["t"], inputs["tokens"]) };
            default:
                var velocity = ((FlowGeneratorModel)model).Network;
                velocity.eval();
                return new() { ["velocity"] = velocity.forward(inputs["x"], inputs["t"], inputs["tokens"]) };
        }
    }

    private static Dictionary<string, Tensor> Inputs(string kind, Random random) => kind switch
    {
        "autoencoder" => new() { ["videos"] = Uniform(random, -1, 1, 2, 3, 4, 8, 8) },
        "video_reward" => new() { ["videos"] = Uniform(random, 0, 1, 2, 3, 4, 16, 16), ["tokens"] = Tokens(random, RewardPromptTokens.Vocabulary, RewardPromptTokens.MaxTokens, 7, 12) },
        _ => new()
        {
            ["x"] = kind == "pixel_velocity"
                ? Uniform(random, -2, 2, 2, Video.Channels, Video.Frames, Video.Height, Video.Width)
                : Uniform(random, -2, 2, 2, Latent.Channels, Latent.Frames, Latent.Height, Latent.Width),
            ["t"] = tensor(new[] { 0.25f, 0.8f }),
            ["tokens"] = Tokens(random, PromptTokens.Buckets, PromptTokens.MaxWords, 5, 0),
        },
    };

    private static FlowGeneratorModel ConvGenerator(Random random)
    {
        var autoencoder = Randomized(new VideoAutoencoder(Video, Latent, 8), random);
        return new FlowGeneratorModel(Randomized(new VelocityConvNet(Latent, 8), random), Video, LatentSpace.Restore(autoencoder, LatentMean, LatentDeviation), 4, 3.0, CPU);
    }

    private static VideoRewardModel Reward(RewardTokenMode mode, Random random) =>
        new(Randomized(new VideoRewardNetwork(Three, mode, RewardPromptTokens.Vocabulary, 8), random), RewardVideo, RewardLoss.Btt(5), CPU, new RewardNormalization([0.5, -1, 2], [1.5, 0.25, 3]));

    private static T Saved<T>(T model, Action<T> save)
    {
        save(model);
        return model;
    }

    /// <summary>
    /// Every floating state entry uniform in ±1/√(fan-in) (the scale of a layer's default initialisation, ±0.5 for
    /// vectors), temperatures and score scales in [0.5, 1.5]: no part stays at an initial zero (FiLM, the null prompt).
    /// </summary>
    private static T Randomized<T>(T module, Random random)
        where T : nn.Module
    {
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point())
            {
                continue;
            }

            if (name.EndsWith("temperature", StringComparison.Ordinal) || name.EndsWith("scoreScale", StringComparison.Ordinal))
            {
                Fill(tensor, random, 0.5, 1.5);
            }
            else
            {
                var bound = tensor.dim() >= 2 ? 1 / Math.Sqrt(tensor.numel() / tensor.shape[0]) : 0.5;
                Fill(tensor, random, -bound, bound);
            }
        }

        return module;
    }

    private static void Fill(Tensor target, Random random, double low, double high)
    {
        using var noGrad = no_grad();
        using var values = Uniform(random, low, high, target.shape);
        target.copy_(values);
    }

    private static Tensor Uniform(Random random, double low, double high, params long[] shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(low + ((high - low) * random.NextDouble()));
        }

        return tensor(values, shape);
    }

    private static Tensor Tokens(Random random, int vocabulary, int length, params int[] used)
    {
        var ids = new long[used.Length * length];
        for (var row = 0; row < used.Length; row++)
        {
            for (var j = 0; j < used[row]; j++)
            {
                ids[(row * length) + j] = random.Next(1, vocabulary);
            }
        }

        return tensor(ids, new long[] { used.Length, length });
    }

    private static Dictionary<string, Tensor> ReadAll(string path) => SafetensorsFile.Open(path).ReadTensors();

    /// <summary>Every output of every case within <see cref="Tolerance"/>; the differences are printed, and all failures listed together.</summary>
    private void AssertClose(IEnumerable<(string Name, Dictionary<string, Tensor> Ours, Dictionary<string, Tensor> Theirs)> cases)
    {
        var failures = new List<string>();
        foreach (var (name, ours, theirs) in cases)
        {
            Assert.Equal(ours.Keys.Order(), theirs.Keys.Order());
            foreach (var (output, value) in ours)
            {
                if (!value.shape.SequenceEqual(theirs[output].shape))
                {
                    failures.Add($"{name}.{output}: shape [{string.Join(", ", value.shape)}] here, [{string.Join(", ", theirs[output].shape)}] in PyTorch");
                    continue;
                }

                var difference = (value - theirs[output]).abs().max().item<float>();
                log.WriteLine($"{name}.{output}: largest difference {difference:G3}");
                if (!(difference <= Tolerance))
                {
                    failures.Add($"{name}.{output}: the runtime and PyTorch differ by up to {difference:G3} (tolerance {Tolerance})");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}

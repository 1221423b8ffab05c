using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.FlowDpo;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Kinds.FlowNrg;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Models.Reward;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Bench.Training;

/// <summary>
/// The runtime's training steps, reached the way the generated pipeline reaches them: the stage estimators
/// (<see cref="FlowGeneratorEstimator"/>, <see cref="FlowDpoEstimator"/> with its metrics.jsonl log,
/// <see cref="VideoRewardEstimator"/>) and the Flow-NRG sampler (<see cref="GuidedFlowGenerator"/>). The data are random
/// videos of the configured size (a step's cost does not depend on their content). The training methods return the step times the
/// estimator's progress callback recorded (<see cref="StepClock"/>).
/// </summary>
public sealed class PipelineSteps : IDisposable
{
    public const long Seed = 7;
    private static readonly string[] Dimensions = ["VQ", "MQ", "TA"];
    private readonly string logFolder = Path.Combine(Path.GetTempPath(), "pipeline-bench-" + Environment.ProcessId);

    public PipelineSteps(BenchSize size, Device device)
    {
        Size = size;
        Device = device;
        manual_seed(Seed);
        Autoencoder = new VideoAutoencoder(size.Video, size.Latent, size.AutoencoderWidth);
        Autoencoder.to(device);
        var random = new Random((int)Seed);
        Prompts = Enumerable.Range(0, size.Pairs).Select(i => PromptOf(i)).ToArray();
        VideosA = RandomVideos(random, size.Pairs, size.Video);
        VideosB = RandomVideos(random, size.Pairs, size.Video);
    }

    public BenchSize Size { get; }

    public Device Device { get; }

    /// <summary>The autoencoder whose latents the generator works in (random weights: only its shapes matter here).</summary>
    public VideoAutoencoder Autoencoder { get; }

    public string[] Prompts { get; }

    /// <summary>Videos in [0, 1], one flat buffer each: the A and B videos of the pairs (the winners and losers of DPO).</summary>
    public float[] VideosA { get; }

    public float[] VideosB { get; }

    /// <summary>
    /// Trained values of each network the steps used (generator, reward, latent_reward), so that the PyTorch reference
    /// can show that its mirrors of the modules are the same size.
    /// </summary>
    public Dictionary<string, long> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Flow-matching pretraining (<c>flow_generator</c>); the trained generator is the policy of the other steps.</summary>
    public (StepClock Clock, FlowGeneratorModel Generator) FlowMatching(int steps)
    {
        var clock = new StepClock();
        var videos = new VideoSet(Size.Video, Prompts.Select((p, i) => new PromptedVideo(p, new Video(Size.Video, VideosA.AsSpan(i * Size.Video.Length, Size.Video.Length).ToArray()))).ToArray());
        var options = new FlowGeneratorOptions
        {
            Autoencoder = Autoencoder, Pretrain = new() { Data = videos, Steps = steps, Lr = 1e-3, Batch = Size.Batch },
            Width = Size.GeneratorWidth, Timesteps = FlowTimesteps.Uniform, CfgDropout = 0.1, CfgScale = Size.CfgScale, SamplingSteps = Size.SamplingSteps,
        };
        var estimator = new MLContext(seed: 1).Models().FlowGenerator(options);
        estimator.Run = new TrainingRun(Seed, "flow_generator", Progress: clock.Tick) { Device = Device };
        clock.Start();
        var generator = estimator.Fit(videos).Generator;
        Parameters["generator"] = Count(generator.Network);
        return (clock, generator);
    }

    /// <summary>Flow-DPO (constant β = 500, full fine-tuning, gradient clip 1) against the policy itself as reference.</summary>
    public StepClock Dpo(FlowGeneratorModel policy, int steps)
    {
        using var log = StageMetricsLog.ForStage(logFolder, "dpo");
        var clock = new StepClock();
        var options = new FlowDpoOptions
        {
            // Fit below takes the pairs as flat buffers, so the options' pair set has none.
            Policy = policy, Pairs = new PreferencePairSet(Size.Video, [PreferenceDimension.Overall], [], []), Beta = 500.0,
            Steps = steps, Batch = Size.Batch, Lr = 1e-4, CfgDropout = 0,
        };
        var estimator = new MLContext(seed: 1).Alignment().FlowDpo(options);
        estimator.Run = new TrainingRun(Seed, "dpo", log, clock.Tick);
        clock.Start();
        _ = estimator.Fit(Prompts, VideosA, VideosB);
        estimator.Trainer!.Dispose();
        return clock;
    }

    /// <summary>VideoReward training (BTT, θ = 5, separate tokens, VQ/MQ/TA): <paramref name="epochs"/> passes of four minibatches.</summary>
    public StepClock Reward(int epochs)
    {
        var clock = new StepClock();
        var options = new VideoRewardOptions
        {
            // Train below takes the pairs as they are read, so the options' pair set has none.
            Train = new PreferencePairSet(Size.Video, [PreferenceDimension.Overall], [], []), Loss = RewardLoss.Btt(5.0), Tokens = RewardTokenMode.Separate,
            Width = Size.RewardWidth, Epochs = epochs, Lr = 2e-3, Batch = Size.Batch,
        };
        var estimator = new MLContext(seed: 1).Rewards().VideoReward(options);
        estimator.Run = new TrainingRun(Seed, "video_reward", Progress: clock.Tick) { Device = Device };
        clock.Start();
        Parameters["reward"] = Count(estimator.Train(RewardData()).Network);
        return clock;
    }

    /// <summary>The reward pairs: labels cycle through A wins, B wins and ties in each dimension.</summary>
    public RewardPairData RewardData()
    {
        var labels = Enumerable.Range(0, Size.Pairs * Dimensions.Length).Select(i => (sbyte)((i % 3) - 1)).ToArray();
        var known = Enumerable.Repeat(true, labels.Length).ToArray();
        return new RewardPairData(Size.Video, Dimensions, Prompts, VideoRows.FromFloats(Size.Video, VideosA), VideoRows.FromFloats(Size.Video, VideosB), labels, known, null, null);
    }

    /// <summary>
    /// Flow-NRG sampling of one batch of latents: ms per sampling step unguided (the generator's Euler steps with CFG)
    /// and guided (plus the latent reward's gradient with respect to x_t at every step but t = 1).
    /// </summary>
    public (double Unguided, double Guided) Nrg(FlowGeneratorModel generator, int rounds)
    {
        // The runtime's own trainer builds the latent reward (one epoch), so this keeps compiling whatever the
        // network's constructor becomes; its weights do not matter for the time of a guided step.
        var settings = new LatentRewardSettings(Noisy: true, Size.LatentRewardWidth, Epochs: 1, LearningRate: 1e-3, Size.Batch, Seed);
        var (reward, _) = LatentRewardTrainer.Fit(RewardData(), Autoencoder, settings, Device, "latent");
        Parameters["latent_reward"] = Count(reward.Network);
        var weights = new Dictionary<string, double> { ["VQ"] = 0.1, ["MQ"] = 0.1, ["TA"] = 0.8 };
        var guided = new GuidedFlowGenerator(generator, reward, weights, strength: 1.0, coefficientCap: 10);
        var prompts = Prompts.Take(Size.Batch).ToArray();
        double Time(VelocityGuidance? guidance)
        {
            var times = new List<double>();
            for (var r = 0; r < rounds + 1; r++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                using var latents = generator.SampleLatents(prompts, Seed, 0, Size.SamplingSteps, Size.CfgScale, guidance);
                using var back = latents.cpu(); // waits for the device
                times.Add(watch.Elapsed.TotalMilliseconds / Size.SamplingSteps);
            }

            return Median(times.Skip(1)); // the first round warms up
        }

        return (Time(null), Time(guided.Guide));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    private static string PromptOf(int i)
    {
        string[] colours = ["red", "green", "blue", "yellow"], directions = ["left", "right", "up", "down"];
        return $"a small {colours[i % 4]} disk moving slowly {directions[(i / 4) % 4]}";
    }

    private static float[] RandomVideos(Random random, int count, VideoShape shape)
    {
        var data = new float[count * shape.Length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = random.NextSingle();
        }

        return data;
    }

    public void Dispose()
    {
        Autoencoder.Dispose();
        if (Directory.Exists(logFolder))
        {
            Directory.Delete(logFolder, recursive: true);
        }
    }
}

using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowRwr;

/// <summary>The Flow-RWR settings beyond the shared budget.</summary>
/// <param name="Samples">Policy samples drawn and scored before training.</param>
/// <param name="Temperature">Softmax temperature of the weights.</param>
/// <param name="Dimensions">The reward r is the mean of the z-normalised scores of these dimensions.</param>
/// <param name="SamplingSteps">Euler steps of the training samples (flow_rwr's own, in its hash).</param>
/// <param name="CfgScale">Guidance scale of the training samples (flow_rwr's own, in its hash).</param>
public sealed record RwrSettings(int Samples, double Temperature, IReadOnlyList<string> Dimensions, int SamplingSteps, double CfgScale);

/// <summary>
/// <c>flow_rwr</c> as an ML.NET estimator (videoalign-paper.md §3.3, Eq. 9): draws <see cref="RwrSettings.Samples"/>
/// videos from the policy (prompts taken in turn from the input, the policy's own sampler), scores them with the
/// reward judge, r = mean of the chosen dimensions' z-scores (the judge's normalisation statistics), then fine-tunes a
/// copy of the policy's network by flow matching on those samples' latents with per-sample weights
/// softmax(r / temperature) within each batch (<see cref="AlignmentLosses.Rwr"/>); no (1 − t)² factor, as in the paper.
/// The input view has a text column <c>Prompt</c>.
/// </summary>
public sealed class FlowRwrEstimator : IEstimator<FlowGeneratorTransformer>
{
    private readonly MLContext context;
    private readonly FlowGeneratorModel policy;
    private readonly IVideoJudge reward;
    private readonly AlignmentSettings settings;
    private readonly RwrSettings rwr;
    private readonly string stage;
    private readonly StageMetricsLog? log;

    public FlowRwrEstimator(MLContext context, FlowGeneratorModel policy, IVideoJudge reward, AlignmentSettings settings, RwrSettings rwr, string stage = "flow_rwr", StageMetricsLog? log = null)
    {
        this.context = context;
        this.policy = policy;
        this.reward = reward;
        this.settings = settings;
        this.rwr = rwr;
        this.stage = stage;
        this.log = log;
    }

    public Trainer? Trainer { get; private set; }

    /// <summary>Called after every training step with the step index and its loss.</summary>
    public Action<int, float>? Progress { get; set; }

    /// <summary>The rewards of the policy samples of the last fit.</summary>
    public IReadOnlyList<double> SampleRewards { get; private set; } = Array.Empty<double>();

    public FlowGeneratorTransformer Fit(IDataView input)
    {
        var rows = context.Data.CreateEnumerable<FlowGeneratorEstimator.PromptRow>(input, reuseRowObject: false).ToArray();
        return Fit(rows.Select(r => r.Prompt).ToArray());
    }

    public FlowGeneratorTransformer Fit(IReadOnlyList<string> prompts)
    {
        if (prompts.Count == 0)
        {
            throw RuntimeErrors.InvalidOption(stage, "RWR needs at least one prompt");
        }

        var columns = rwr.Dimensions.Select(d => reward.Dimensions.ToList().IndexOf(d)).ToArray();
        if (columns.Length == 0 || columns.Any(c => c < 0))
        {
            throw RuntimeErrors.InvalidOption(stage, $"the reward scores {string.Join(", ", reward.Dimensions)}, not all of {string.Join(", ", rwr.Dimensions)}");
        }

        var device = policy.Device;
        RandomStream.SeedInitialisation(settings.Seed);
        var samplePrompts = Enumerable.Range(0, rwr.Samples).Select(i => prompts[i % prompts.Count]).ToArray();
        var parts = new List<Tensor>();
        var videos = new List<Video>(rwr.Samples);
        const int chunk = 256;
        for (var start = 0; start < samplePrompts.Length; start += chunk)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var part = samplePrompts.Skip(start).Take(chunk).ToArray();
            var latents = policy.SampleLatents(part, settings.Seed, start, rwr.SamplingSteps, rwr.CfgScale);
            videos.AddRange(policy.Space.ToVideos(latents, policy.Shape));
            parts.Add(latents.MoveToOuterDisposeScope());
        }

        using var data = cat(parts, 0);
        foreach (var part in parts)
        {
            part.Dispose();
        }

        var scores = reward.Score(videos, samplePrompts);
        var rewards = Enumerable.Range(0, samplePrompts.Length)
            .Select(i => columns.Average(c => (scores[c][i] - reward.Mean[c]) / reward.StandardDeviation[c]))
            .ToArray();
        SampleRewards = rewards;
        using var rewardTensor = tensor(rewards.Select(r => (float)r).ToArray(), device: device);
        using var tokens = PromptTokens.Encode(samplePrompts, device);
        var network = VelocityNetworks.Clone(policy.Network, device);
        var trainer = Trainer.ForAlignment(network, settings, stage, log);
        using var random = trainer.Track(RandomStream.Create(settings.Seed, device));
        var batch = settings.Batch;
        trainer.Run(settings.Steps, (_, metrics) =>
        {
            var index = random.Randint(samplePrompts.Length, batch);
            var x0 = data.index_select(0, index);
            var prompt = FlowAlignment.Prompts(tokens, index, settings, random);
            var r = rewardTensor.index_select(0, index);
            var noise = random.Randn(x0.shape);
            var t = FlowAlignment.SampleTimes(batch, random);
            var velocity = network.forward(FlowMatching.Interpolate(x0, noise, t), t, prompt);
            var errors = FlowMatching.PerSampleError(velocity, x0, noise);
            var weights = AlignmentLosses.RwrWeights(r, rwr.Temperature);
            metrics["max_weight"] = weights.max().item<float>();
            metrics["weighted_reward"] = (weights * r).sum().item<float>();
            return AlignmentLosses.Rwr(errors, r, rwr.Temperature);
        }, Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, FlowAlignment.WithNetwork(policy, network));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => FlowAlignment.OutputSchema(inputSchema);
}

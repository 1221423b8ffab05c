using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowRwr;

/// <summary>
/// <c>flow_rwr</c> as an ML.NET estimator (videoalign-paper.md §3.3, Eq. 9): draws <c>samples</c>
/// videos from the policy (prompts taken in turn from the input, the policy's own sampler), scores them with the
/// reward judge, r = mean of the chosen dimensions' z-scores (the judge's normalisation statistics), then fine-tunes a
/// copy of the policy's network by flow matching on those samples' latents with per-sample weights
/// softmax(r / temperature) within each batch (<see cref="AlignmentLosses.Rwr"/>); no (1 − t)² factor, as in the paper.
/// The input view has a text column <c>Prompt</c>.
/// </summary>
public sealed class FlowRwrEstimator(MLContext context, FlowRwrOptions options) : IEstimator<FlowGeneratorTransformer>
{
    /// <summary>The estimator's options: the stage's (the policy, the reward, the budget; <c>prompts</c> is what the stage fits it on).</summary>
    public FlowRwrOptions Options { get; } = options;

    /// <summary>The fitting stage's seed, name, metrics log and progress; set before <see cref="Fit(IDataView)"/>.</summary>
    public TrainingRun? Run { get; set; }

    public Trainer? Trainer { get; private set; }

    /// <summary>The rewards of the policy samples of the last fit.</summary>
    public IReadOnlyList<double> SampleRewards { get; private set; } = Array.Empty<double>();

    public FlowGeneratorTransformer Fit(IDataView input)
    {
        var rows = context.Data.CreateEnumerable<FlowGeneratorEstimator.PromptRow>(input, reuseRowObject: false).ToArray();
        return Fit(rows.Select(r => r.Prompt).ToArray());
    }

    public FlowGeneratorTransformer Fit(IReadOnlyList<string> prompts)
    {
        var run = TrainingRun.Required(Run, nameof(FlowRwrEstimator));
        var (stage, log) = (run.Stage, run.Log);
        var policy = AlignmentStageSupport.Policy(Options.Policy, stage);
        var reward = Options.Reward;
        var settings = AlignmentStageSupport.Settings(run.Seed, Options);
        var dimensions = Options.Dimensions.Select(d => d.ToString()).ToArray();
        if (prompts.Count == 0)
        {
            throw RuntimeErrors.InvalidOption(stage, "RWR needs at least one prompt");
        }

        var columns = dimensions.Select(d => reward.Dimensions.ToList().IndexOf(d)).ToArray();
        if (columns.Length == 0 || columns.Any(c => c < 0))
        {
            throw RuntimeErrors.InvalidOption(stage, $"the reward scores {string.Join(", ", reward.Dimensions)}, not all of {string.Join(", ", dimensions)}");
        }

        var device = policy.Device;
        RandomStream.SeedInitialisation(settings.Seed);
        var samplePrompts = Enumerable.Range(0, Options.Samples).Select(i => prompts[i % prompts.Count]).ToArray();
        var parts = new List<Tensor>();
        var videos = new List<Video>(Options.Samples);
        const int chunk = 256;
        for (var start = 0; start < samplePrompts.Length; start += chunk)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var part = samplePrompts.Skip(start).Take(chunk).ToArray();
            var latents = policy.SampleLatents(part, settings.Seed, start, Options.SamplingSteps, Options.CfgScale);
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
            var weights = AlignmentLosses.RwrWeights(r, Options.Temperature);
            metrics["max_weight"] = weights.max().item<float>();
            metrics["weighted_reward"] = (weights * r).sum().item<float>();
            return AlignmentLosses.Rwr(errors, r, Options.Temperature);
        }, run.Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, FlowAlignment.WithNetwork(policy, network));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => FlowAlignment.OutputSchema(inputSchema);
}

using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowSft;

/// <summary>
/// <c>flow_sft</c> as an ML.NET estimator: fine-tunes a copy of the policy's velocity network by flow matching on the
/// preferred videos only (videoalign-paper.md §3.4): x0 = a winner's latent, ε ~ N(0, I), t ~ U(0, 1),
/// loss = mean over the batch of the element-mean error ‖v_θ(x_t, t, y) − (ε − x0)‖² (<see cref="AlignmentLosses.Sft"/>).
/// The input view is a video view (<see cref="VideoSetView"/>: columns <c>Prompt</c>, text, and <c>Video</c>, C·T·H·W floats in [0, 1]).
/// </summary>
public sealed class FlowSftEstimator(MLContext context, FlowSftOptions options) : IEstimator<FlowGeneratorTransformer>
{
    /// <summary>The estimator's options: the stage's (the policy and the budget; <c>data</c> is what the stage fits it on).</summary>
    public FlowSftOptions Options { get; } = options;

    /// <summary>The fitting stage's seed, name, metrics log and progress; set before <see cref="Fit(IDataView)"/>.</summary>
    public TrainingRun? Run { get; set; }

    /// <summary>The trainer of the last fit (its metrics); the caller disposes it.</summary>
    public Trainer? Trainer { get; private set; }

    public FlowGeneratorTransformer Fit(IDataView input)
    {
        var shape = AlignmentStageSupport.Policy(Options.Policy, TrainingRun.Required(Run, nameof(FlowSftEstimator)).Stage).Shape;
        return Fit(VideoSetView.Read(context, input, shape));
    }

    public FlowGeneratorTransformer Fit(VideoSet winners)
    {
        var run = TrainingRun.Required(Run, nameof(FlowSftEstimator));
        var (stage, log) = (run.Stage, run.Log);
        var policy = AlignmentStageSupport.Policy(Options.Policy, stage);
        var settings = AlignmentStageSupport.Settings(run.Seed, Options);
        if (winners.Count == 0)
        {
            throw RuntimeErrors.InvalidOption(stage, "SFT needs at least one winner video");
        }

        if (winners.Shape != policy.Shape)
        {
            throw RuntimeErrors.InvalidOption(stage, $"the winners have shape {winners.Shape}, the policy makes {policy.Shape}");
        }

        var device = policy.Device;
        RandomStream.SeedInitialisation(settings.Seed);
        var flat = winners.SelectMany(w => w.Video.Data).ToArray();
        using var data = FlowAlignment.ToSpace(policy, flat, winners.Count);
        using var tokens = PromptTokens.Encode(winners.Select(w => w.Prompt).ToArray(), device);
        var network = VelocityNetworks.Clone(policy.Network, device);
        var trainer = Trainer.ForAlignment(network, settings, stage, log);
        using var random = trainer.Track(RandomStream.Create(settings.Seed, device));
        var batch = settings.Batch;
        trainer.Run(settings.Steps, (_, _) =>
        {
            var index = random.Randint(winners.Count, batch);
            var x0 = data.index_select(0, index);
            var prompt = FlowAlignment.Prompts(tokens, index, settings, random);
            var noise = random.Randn(x0.shape);
            var t = FlowAlignment.SampleTimes(batch, random);
            var velocity = network.forward(FlowMatching.Interpolate(x0, noise, t), t, prompt);
            return AlignmentLosses.Sft(FlowMatching.PerSampleError(velocity, x0, noise));
        }, run.Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, FlowAlignment.WithNetwork(policy, network));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => FlowAlignment.OutputSchema(inputSchema);
}

using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowDpo;

/// <summary>Flow-DPO's β: a constant, or β_t = β·(1 − t)² when <paramref name="TimeDependent"/> is set.</summary>
public sealed record DpoBeta(double Value, bool TimeDependent)
{
    /// <summary><c>beta = 500</c>: the constant β.</summary>
    public static implicit operator DpoBeta(double value) => new(value, TimeDependent: false);

    /// <summary><c>beta = timestep(beta: 500)</c>: β_t = β(1 − t)².</summary>
    public static DpoBeta Timestep(double beta) => new(beta, TimeDependent: true);

    public override string ToString() => TimeDependent ? $"timestep({Value})" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>flow_dpo</c> as an ML.NET estimator (videoalign-paper.md §3.2, Eq. 6): for a batch of (prompt, winner, loser)
/// triples, one ε and one t ~ U(0, 1) per pair, shared by winner and loser; x_t = (1 − t)·x + t·ε for both; the
/// policy copy and the frozen reference (under no_grad) predict velocities on both; per-sample errors are element
/// means; loss = −log σ(−β/2·[(e_θw − e_rw) − (e_θl − e_rl)]) with constant β or β_t = β(1 − t)²
/// (<see cref="AlignmentLosses.Dpo(Tensor, Tensor, Tensor, Tensor, Tensor)"/>). Logged per step: the loss, the
/// implicit reward margin (the mean of the log-sigmoid's argument) and the implicit accuracy (the share of pairs where
/// that argument is positive, as the authors' code logs it).
/// The input view is a preference-pair view (<see cref="PreferencePairSet.ToDataView"/>); a pair's winner is the
/// video its labels vote for (the sum of its labels over the labelled dimensions), and pairs with no winner are skipped.
/// </summary>
public sealed class FlowDpoEstimator(MLContext context, FlowDpoOptions options) : IEstimator<FlowGeneratorTransformer>
{
    /// <summary>The estimator's options: the stage's (the policy, the reference, β, the budget; <c>pairs</c> is what the stage fits it on).</summary>
    public FlowDpoOptions Options { get; } = options;

    /// <summary>The fitting stage's seed, name, metrics log and progress; set before <see cref="Fit(IDataView)"/>.</summary>
    public TrainingRun? Run { get; set; }

    public Trainer? Trainer { get; private set; }

    /// <summary>Pairs used (those with a winner) in the last fit.</summary>
    public int PairsUsed { get; private set; }

    public FlowGeneratorTransformer Fit(IDataView input)
    {
        var policy = AlignmentStageSupport.Policy(Options.Policy, TrainingRun.Required(Run, nameof(FlowDpoEstimator)).Stage);
        var data = RewardPairData.Read(input, policy.Shape);
        var length = policy.Shape.Length;
        var prompts = new List<string>();
        var winners = new List<float>();
        var losers = new List<float>();
        for (var i = 0; i < data.Count; i++)
        {
            var vote = data.Vote(i);
            if (vote == 0)
            {
                continue;
            }

            prompts.Add(data.Prompts[i]);
            var (w, l) = vote > 0 ? (data.VideosA, data.VideosB) : (data.VideosB, data.VideosA);
            var video = new float[length];
            w.CopyFloats(i, video);
            winners.AddRange(video);
            l.CopyFloats(i, video);
            losers.AddRange(video);
        }

        return Fit(prompts, winners.ToArray(), losers.ToArray());
    }

    /// <summary>Fits on a pair set directly (the stage's path; the same vote as <see cref="Fit(IDataView)"/>).</summary>
    public FlowGeneratorTransformer Fit(PreferencePairSet pairs)
    {
        var prompts = new List<string>();
        var winners = new List<float>();
        var losers = new List<float>();
        foreach (var (pair, winner, loser) in pairs.Decided())
        {
            prompts.Add(pair.Prompt);
            winners.AddRange(winner.Load().Data);
            losers.AddRange(loser.Load().Data);
        }

        return Fit(prompts, winners.ToArray(), losers.ToArray());
    }

    /// <summary>Fits on winners and losers given as flat buffers of videos in [0, 1], one prompt per pair.</summary>
    public FlowGeneratorTransformer Fit(IReadOnlyList<string> prompts, float[] winners, float[] losers)
    {
        var run = TrainingRun.Required(Run, nameof(FlowDpoEstimator));
        var (stage, log, beta) = (run.Stage, run.Log, Options.Beta);
        var policy = AlignmentStageSupport.Policy(Options.Policy, stage);
        var reference = Options.Reference is null ? policy : AlignmentStageSupport.Policy(Options.Reference, stage, "reference");
        if (reference.Shape != policy.Shape || !reference.Space.SampleShapeWithoutBatch.SequenceEqual(policy.Space.SampleShapeWithoutBatch))
        {
            throw RuntimeErrors.InvalidOption(stage, "the reference works in a different space from the policy");
        }

        var settings = AlignmentStageSupport.Settings(run.Seed, Options);
        var count = prompts.Count;
        if (count == 0)
        {
            throw RuntimeErrors.InvalidOption(stage, "Flow-DPO needs at least one pair with a winner");
        }

        PairsUsed = count;
        var device = policy.Device;
        RandomStream.SeedInitialisation(settings.Seed);
        using var dataW = FlowAlignment.ToSpace(policy, winners, count);
        using var dataL = FlowAlignment.ToSpace(policy, losers, count);
        using var tokens = PromptTokens.Encode(prompts, device);
        var network = VelocityNetworks.Clone(policy.Network, device);
        var frozen = reference.Network;
        frozen.eval();
        var trainer = Trainer.ForAlignment(network, settings, stage, log);
        using var random = trainer.Track(RandomStream.Create(settings.Seed, device));
        var batch = settings.Batch;
        trainer.Run(settings.Steps, (_, metrics) =>
        {
            var index = random.Randint(count, batch);
            var xw = dataW.index_select(0, index);
            var xl = dataL.index_select(0, index);
            var prompt = FlowAlignment.Prompts(tokens, index, settings, random);
            var noise = random.Randn(xw.shape);
            var t = FlowAlignment.SampleTimes(batch, random);
            var x0 = cat(new[] { xw, xl }, 0);
            var noise2 = cat(new[] { noise, noise }, 0);
            var t2 = cat(new[] { t, t }, 0);
            var prompt2 = cat(new[] { prompt, prompt }, 0);
            var xt = FlowMatching.Interpolate(x0, noise2, t2);
            var policyErrors = FlowMatching.PerSampleError(network.forward(xt, t2, prompt2), x0, noise2);
            Tensor referenceErrors;
            using (no_grad())
            {
                referenceErrors = FlowMatching.PerSampleError(frozen.forward(xt, t2, prompt2), x0, noise2);
            }

            var b = beta.TimeDependent ? AlignmentLosses.TimestepBeta(beta.Value, t) : tensor((float)beta.Value, device: device);
            var terms = AlignmentLosses.Dpo(
                policyErrors.narrow(0, 0, batch), referenceErrors.narrow(0, 0, batch),
                policyErrors.narrow(0, batch, batch), referenceErrors.narrow(0, batch, batch), b);
            // The four metrics travel to the host in one copy: on a GPU each .item() is a synchronisation of its own.
            var inside = terms.Inside.detach();
            var change = (policyErrors - referenceErrors).detach();
            var values = stack(new[]
            {
                inside.mean(),
                inside.gt(0).to_type(ScalarType.Float32).mean(),
                change.narrow(0, 0, batch).mean(),
                change.narrow(0, batch, batch).mean(),
            }).cpu().data<float>().ToArray();
            metrics["reward_margin"] = values[0];
            metrics["implicit_accuracy"] = values[1];
            metrics["winner_error_change"] = values[2];
            metrics["loser_error_change"] = values[3];
            return terms.Loss;
        }, run.Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, FlowAlignment.WithNetwork(policy, network));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => FlowAlignment.OutputSchema(inputSchema);
}

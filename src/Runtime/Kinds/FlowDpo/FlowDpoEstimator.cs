using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowDpo;

/// <summary>Flow-DPO's β: a constant, or β_t = β·(1 − t)² when <paramref name="Timestep"/> is set.</summary>
public sealed record DpoBeta(double Value, bool Timestep)
{
    public override string ToString() => Timestep ? $"timestep({Value})" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
public sealed class FlowDpoEstimator : IEstimator<FlowGeneratorTransformer>
{
    private readonly MLContext context;
    private readonly FlowGeneratorModel policy;
    private readonly FlowGeneratorModel reference;
    private readonly AlignmentSettings settings;
    private readonly DpoBeta beta;
    private readonly string stage;
    private readonly StageMetricsLog? log;

    public FlowDpoEstimator(MLContext context, FlowGeneratorModel policy, FlowGeneratorModel? reference, AlignmentSettings settings, DpoBeta beta, string stage = "flow_dpo", StageMetricsLog? log = null)
    {
        this.context = context;
        this.policy = policy;
        this.reference = reference ?? policy;
        this.settings = settings;
        this.beta = beta;
        this.stage = stage;
        this.log = log;
        if (this.reference.Shape != policy.Shape || !this.reference.Space.SampleShapeWithoutBatch.SequenceEqual(policy.Space.SampleShapeWithoutBatch))
        {
            throw RuntimeErrors.InvalidOption(stage, "the reference works in a different space from the policy");
        }
    }

    public Trainer? Trainer { get; private set; }

    /// <summary>Called after every training step with the step index and its loss.</summary>
    public Action<int, float>? Progress { get; set; }

    /// <summary>Pairs used (those with a winner) in the last fit.</summary>
    public int PairsUsed { get; private set; }

    public FlowGeneratorTransformer Fit(IDataView input)
    {
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

            var b = beta.Timestep ? AlignmentLosses.TimestepBeta(beta.Value, t) : tensor((float)beta.Value, device: device);
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
        }, Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, FlowAlignment.WithNetwork(policy, network));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => FlowAlignment.OutputSchema(inputSchema);
}

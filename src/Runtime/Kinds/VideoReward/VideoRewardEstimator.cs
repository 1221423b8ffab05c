using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models.Reward;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>
/// The <c>video_reward</c> estimator (ML.NET style), made by <c>mlContext.Rewards().VideoReward(options)</c>:
/// <see cref="Fit(IDataView)"/> reads preference pairs (<see cref="RewardPairData"/>: a pair set's videos stay where
/// the set keeps them, a decoded-video store for a pair file, and each minibatch is gathered as it is needed), trains a
/// <see cref="VideoRewardNetwork"/> with the configured loss (BT, BTT(θ) or regression) by Adam on shuffled minibatches
/// of pairs for a number of epochs, and returns the <see cref="VideoRewardTransformer"/> that adds score columns. The
/// z-normalisation of the scores (Overall) is fitted on the evaluation split when one is given to
/// <see cref="Fit(IDataView, IDataView?)"/>, else on the training split.
/// </summary>
public sealed class VideoRewardEstimator(MLContext context, VideoRewardOptions options) : IEstimator<VideoRewardTransformer>
{
    /// <summary>The estimator's options: the stage's (<c>train</c> and <c>eval</c> are what the stage fits it on).</summary>
    public VideoRewardOptions Options { get; } = options;

    /// <summary>
    /// The fitting stage's seed (of the weights and the order of the pairs), name, metrics log, progress, device and
    /// given weights (<c>init</c>); set before <see cref="Fit(IDataView)"/>.
    /// </summary>
    public TrainingRun? Run { get; set; }

    /// <summary>The dimensions the network scores: those of the training pairs without Overall (derived, never trained).</summary>
    public IReadOnlyList<string> TrainedDimensions => Options.Train.Dimensions.Where(d => d != PreferenceDimension.Overall).Select(d => d.ToString()).ToArray();

    /// <summary>The per-step losses of the last <see cref="Fit(IDataView)"/>.</summary>
    public Trainer? Trainer { get; private set; }

    /// <summary>
    /// The raw scores [pairs, 2·dimensions] of the pairs the last fit normalised on (the evaluation pairs, else the
    /// training pairs), in their order: the stage's accuracies are computed from them, not from a second scoring.
    /// </summary>
    public float[,]? NormalizationScores { get; private set; }

    public VideoRewardTransformer Fit(IDataView input) => Fit(input, null);

    public VideoRewardTransformer Fit(IDataView train, IDataView? eval)
    {
        var data = RewardPairData.Read(train, dimensions: TrainedDimensions);
        var model = Train(data);
        // The normalisation sees only the videos and prompts: the evaluation pairs may label other dimensions.
        var normalizeOn = eval is null ? data : RewardPairData.Read(eval, data.Shape);
        NormalizationScores = ScoreBoth(model, normalizeOn);
        model.Normalize(NormalizationScores);
        return new VideoRewardTransformer(context, model);
    }

    /// <summary>Trains on pairs already read; the model has no normalisation yet.</summary>
    public VideoRewardModel Train(RewardPairData data)
    {
        var run = TrainingRun.Required(Run, nameof(VideoRewardEstimator));
        var (device, seed) = (run.Device, run.Seed);
        if (data.Dimensions.Count == 0)
        {
            throw RuntimeErrors.InvalidOption(run.Stage, "the training pairs label none of VQ, MQ, TA");
        }

        if (data.Count == 0)
        {
            throw RuntimeErrors.InvalidOption(run.Stage, "the reward model has no training pairs");
        }

        if (Options.Loss.Kind == RewardLossKind.Regression && data.TargetsA is null)
        {
            throw RuntimeErrors.InvalidOption(run.Stage, "loss = regression needs per-video targets (columns MOS_A_{dim} and MOS_B_{dim}); these pairs have none, use bt or btt");
        }

        var dimensions = data.Dimensions.Count;
        RandomStream.SeedInitialisation(seed);
        var network = new VideoRewardNetwork(data.Dimensions, Options.Tokens, RewardPromptTokens.Vocabulary, Options.Width);
        run.Init?.LoadInto(network, string.Empty);
        network.to(device);
        var shape = data.Shape;
        using var tokens = RewardPromptTokens.Encode(data.Prompts, device);
        using var labels = tensor(data.Labels.Select(l => (float)l).ToArray(), new long[] { data.Count, dimensions }, device: device);
        using var known = tensor(data.Known.Select(k => k ? 1f : 0f).ToArray(), new long[] { data.Count, dimensions }, device: device);
        using var targets = data.TargetsA is null ? null
            : tensor(data.TargetsA.Concat(data.TargetsB!).ToArray(), new long[] { 2 * data.Count, dimensions }, device: device);

        var batch = Math.Min(Options.Batch, data.Count);
        var stepsPerEpoch = StepsPerEpoch(data.Count, batch);
        var order = new long[Options.Epochs][];
        using (var random = RandomStream.Create(seed, CPU))
        {
            for (var e = 0; e < Options.Epochs; e++)
            {
                using var permutation = random.Randperm(data.Count);
                order[e] = permutation.data<long>().ToArray();
            }
        }

        var trainer = new Trainer(network, Options.Lr, run.Stage, run.Log);
        trainer.Run(Options.Epochs * stepsPerEpoch, step =>
        {
            var epoch = step / stepsPerEpoch;
            var from = (step % stepsPerEpoch) * batch;
            var size = Math.Min(batch, data.Count - from);
            var rows = order[epoch].AsSpan(from, size);
            var index = tensor(rows.ToArray(), device: device);
            var stepTokens = tokens.index_select(0, index);

            // Only the minibatch's videos are gathered, converted to floats on the device (VideoBatch).
            var videos = cat(new[] { VideoBatch.Gather(data.VideosA, rows, device), VideoBatch.Gather(data.VideosB, rows, device) }, 0);
            var scores = network.forward(videos, cat(new[] { stepTokens, stepTokens }, 0));
            var scoresA = scores.narrow(0, 0, size);
            var scoresB = scores.narrow(0, size, size);
            var stepLabels = labels.index_select(0, index);
            var stepKnown = known.index_select(0, index);
            switch (Options.Loss.Kind)
            {
                case RewardLossKind.BradleyTerry:
                    return RewardLosses.BradleyTerry(scoresA - scoresB, stepLabels, stepKnown);
                case RewardLossKind.BradleyTerryWithTies:
                    return RewardLosses.BradleyTerryWithTies(scoresA - scoresB, stepLabels, Options.Loss.Theta, stepKnown);
                default:
                    var target = targets!.index_select(0, cat(new[] { index, index + data.Count }, 0));
                    var valid = target.isnan().logical_not();
                    return RewardLosses.Regression(scores, target.nan_to_num(0), valid);
            }
        }, run.Progress);
        Trainer = trainer;
        return new VideoRewardModel(network, shape, Options.Loss, device);
    }

    /// <summary>The training steps on <paramref name="pairs"/> pairs: every epoch, minibatches of at most the whole set.</summary>
    public static int Steps(int pairs, VideoRewardOptions options) => options.Epochs * StepsPerEpoch(pairs, Math.Min(options.Batch, pairs));

    private static int StepsPerEpoch(int pairs, int batch) => batch < 1 ? 0 : (pairs + batch - 1) / batch;

    /// <summary>Raw scores of every video of the pairs: videos A in rows 0 … N − 1, videos B in rows N … 2N − 1.</summary>
    public static float[,] ScoreBoth(VideoRewardModel model, RewardPairData data)
    {
        var prompts = data.Prompts.Concat(data.Prompts).ToArray();
        return model.ScoreRaw(data.VideosA.Concat(data.VideosB), prompts);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.TryGetValue(VideoRewardTransformer.PromptColumn, out var prompt) || prompt.ItemType != TextDataViewType.Instance)
        {
            throw new ArgumentException($"the input needs a text column '{VideoRewardTransformer.PromptColumn}'");
        }

        if (!columns.TryGetValue(VideoRewardTransformer.VideoColumn, out var video) || video.ItemType != NumberDataViewType.Single || video.Kind != SchemaShape.Column.VectorKind.Vector)
        {
            throw new ArgumentException($"the input needs a float vector column '{VideoRewardTransformer.VideoColumn}'");
        }

        foreach (var name in VideoRewardTransformer.ScoreColumns(TrainedDimensions))
        {
            columns[name] = SchemaColumns.Single(name, vector: false);
        }

        return new SchemaShape(columns.Values);
    }
}

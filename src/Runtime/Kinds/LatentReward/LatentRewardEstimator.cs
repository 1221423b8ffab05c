using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Torch;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>
/// The <c>latent_reward</c> estimator (ML.NET style), made by <c>mlContext.Rewards().LatentReward(options)</c>:
/// <see cref="Fit(IDataView)"/> trains a <see cref="LatentRewardModel"/> on the latents of the options' autoencoder
/// of a preference-pair view (<see cref="PreferencePairSet.ToDataView"/>, read by <see cref="RewardPairData"/>) with
/// <see cref="LatentRewardTrainer"/>, and returns the <see cref="LatentRewardTransformer"/> that adds scores to videos.
/// Without an autoencoder in its options the stage does not fit it: <c>flow_nrg</c> does, on its generator's
/// (<see cref="PendingLatentReward"/>).
/// </summary>
public sealed class LatentRewardEstimator(MLContext context, LatentRewardOptions options) : IEstimator<LatentRewardTransformer>
{
    /// <summary>The estimator's options: the stage's (<c>train</c> is what the stage fits it on).</summary>
    public LatentRewardOptions Options { get; } = options;

    /// <summary>The fitting stage's seed, name, metrics log, progress, device and given weights (<c>init</c>); set before <see cref="Fit(IDataView)"/>.</summary>
    public TrainingRun? Run { get; set; }

    /// <summary>The trainer of the last fit (its per-step losses).</summary>
    public Trainer? Trainer { get; private set; }

    public LatentRewardTransformer Fit(IDataView input)
    {
        var run = TrainingRun.Required(Run, nameof(LatentRewardEstimator));
        var autoencoder = Options.Autoencoder
            ?? throw RuntimeErrors.InvalidOption(run.Stage, "the latent reward trains on an autoencoder's latents: give it autoencoder = STAGE, or let the flow_nrg stage that uses it train it on its generator's");
        var settings = new LatentRewardSettings(Options.Noisy, Options.Width, Options.Epochs, Options.Lr, Options.Batch, run.Seed, Options.Centring);
        var (model, trainer) = LatentRewardTrainer.Fit(RewardPairData.Read(input), autoencoder, settings, run.Device, run.Stage, run.Progress, run.Log, run.Init);
        Trainer = trainer;
        return new LatentRewardTransformer(context, model, run.Device);
    }

    /// <summary>The training steps on <paramref name="pairs"/> pairs: every epoch, minibatches of <c>batch</c> pairs.</summary>
    public static int Steps(int pairs, LatentRewardOptions options) => options.Epochs * ((pairs + options.Batch - 1) / options.Batch);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.TryGetValue(VideoSetView.PromptColumn, out var prompt) || prompt.ItemType != TextDataViewType.Instance)
        {
            throw new ArgumentException($"the input needs a text column '{VideoSetView.PromptColumn}'");
        }

        if (!columns.TryGetValue(VideoSetView.VideoColumn, out var video) || video.Kind != SchemaShape.Column.VectorKind.Vector)
        {
            throw new ArgumentException($"the input needs a float vector column '{VideoSetView.VideoColumn}'");
        }

        columns[LatentRewardTransformer.ScoresColumn] = SchemaColumns.Single(LatentRewardTransformer.ScoresColumn, vector: true);
        return new SchemaShape(columns.Values);
    }
}

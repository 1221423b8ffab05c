using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary>
/// The <c>autoencoder</c> estimator (ML.NET style), made by <c>mlContext.Models().Autoencoder(options)</c>:
/// <see cref="Fit(IDataView)"/> trains a <see cref="VideoAutoencoder"/> on a data view of videos
/// (<see cref="VideoSetView"/>) with <see cref="AutoencoderTrainer"/>, and returns the
/// <see cref="AutoencoderTransformer"/> that adds each video's reconstruction.
/// </summary>
public sealed class AutoencoderEstimator(MLContext context, AutoencoderOptions options) : IEstimator<AutoencoderTransformer>
{
    /// <summary>The estimator's options: the stage's (<c>data</c> is what the stage fits it on).</summary>
    public AutoencoderOptions Options { get; } = options;

    /// <summary>The fitting stage's seed, name, metrics log, progress, device and given weights (<c>init</c>); set before <see cref="Fit(IDataView)"/>.</summary>
    public TrainingRun? Run { get; set; }

    /// <summary>The trainer of the last fit (its per-step losses).</summary>
    public Trainer? Trainer { get; private set; }

    /// <summary>The options' <c>latent</c> [C, T, H, W].</summary>
    public LatentShape Latent => new(Options.Latent[0], Options.Latent[1], Options.Latent[2], Options.Latent[3]);

    public AutoencoderTransformer Fit(IDataView input) => Fit(VideoSetView.Read(context, input));

    /// <summary>Trains on a video set (what <see cref="Fit(IDataView)"/> does after reading the view).</summary>
    public AutoencoderTransformer Fit(VideoSet videos)
    {
        var run = TrainingRun.Required(Run, nameof(AutoencoderEstimator));
        var settings = new AutoencoderSettings(Latent, Options.Width, Options.Steps, Options.Lr, Options.Batch, run.Seed, Options.Edges);
        var (model, trainer) = AutoencoderTrainer.Fit(videos, settings, run.Device, run.Stage, run.Progress, run.Log, run.Init);
        Trainer = trainer;
        return new AutoencoderTransformer(context, model, run.Device);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.TryGetValue(VideoSetView.VideoColumn, out var video) || video.Kind != SchemaShape.Column.VectorKind.Vector)
        {
            throw new ArgumentException($"the input needs a float vector column '{VideoSetView.VideoColumn}'");
        }

        columns[AutoencoderTransformer.ReconstructionColumn] = SchemaColumns.Single(AutoencoderTransformer.ReconstructionColumn, vector: true);
        return new SchemaShape(columns.Values);
    }
}

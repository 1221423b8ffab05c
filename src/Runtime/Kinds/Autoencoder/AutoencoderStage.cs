using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary>Options of <c>autoencoder</c>; defaults and documentation are in the catalogue.</summary>
public sealed record AutoencoderOptions : StageOptions
{
    public required VideoSet Data { get; set; }

    /// <summary>[C, T, H, W].</summary>
    public required IReadOnlyList<int> Latent { get; set; }

    public required int Width { get; set; }

    public required int Steps { get; set; }

    public required double Lr { get; set; }

    public required int Batch { get; set; }

    public required bool Edges { get; set; }

    public WeightsFile? Init { get; set; }
}

/// <summary>
/// <c>autoencoder</c>: trains a <see cref="VideoAutoencoder"/> on the given videos (<see cref="AutoencoderEstimator"/>,
/// made by <c>mlContext.Models().Autoencoder(options)</c> and fitted here on a data view of <c>data</c>) and reports
/// its reconstruction error (mean squared error with pixels in [0, 1], and PSNR) over the whole set.
/// </summary>
public static class AutoencoderStage
{
    public static StageOutput Run(StageContext context, string name, AutoencoderEstimator estimator)
    {
        var options = estimator.Options;
        var videos = options.Data;
        using var given = GivenWeights.Open(context, name, ModelKinds.Autoencoder, options.Init);
        using var metrics = StageProgress.OpenMetrics(context, name);
        estimator.Run = StageProgress.Training(context, name, options.Steps, metrics, given);
        var view = videos.ToDataView(context.MLContextFor(name));
        VideoAutoencoder model;
        try
        {
            model = estimator.Fit(view).Model;
        }
        catch (ArgumentException error)
        {
            throw RuntimeErrors.InvalidOption(name, error);
        }

        var trainer = estimator.Trainer!;
        var error2 = AutoencoderTrainer.ReconstructionError(videos, AutoencoderTrainer.Reconstruct(model, videos, estimator.Run.Device));
        var output = new StageOutput(name, "autoencoder", model);
        output.Metrics["steps"] = options.Steps;
        output.Metrics["parameters"] = model.parameters().Sum(p => p.numel());
        output.Metrics["latent"] = estimator.Latent.ToString();
        if (options.Steps > 0)
        {
            output.Metrics["loss_start"] = trainer.MeanLoss(atStart: true);
            output.Metrics["loss_end"] = trainer.MeanLoss(atStart: false);
            output.Metrics["loss_curve"] = trainer.Curve();
        }

        output.Metrics["reconstruction_mse"] = Math.Round(error2, 7);
        output.Metrics["reconstruction_psnr_db"] = Math.Round(10 * Math.Log10(1 / error2), 3);
        return output;
    }
}

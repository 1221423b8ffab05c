using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>Options of <c>flow_generator</c>; defaults and documentation are in the catalogue.</summary>
public sealed record FlowGeneratorOptions : StageOptions
{
    public VideoAutoencoder? Autoencoder { get; set; }

    public required PretrainOptions Pretrain { get; set; }

    public required int Width { get; set; }

    public required FlowTimesteps Timesteps { get; set; }

    public required double CfgDropout { get; set; }

    public required double CfgScale { get; set; }

    public required int SamplingSteps { get; set; }

    public WeightsFile? Init { get; set; }

    /// <summary><c>pretrain = { data: ..., steps: ..., lr: ..., batch: ... }</c></summary>
    public sealed record PretrainOptions
    {
        public required VideoSet Data { get; set; }

        public required int Steps { get; set; }

        public required double Lr { get; set; }

        public required int Batch { get; set; }
    }
}

/// <summary>
/// <c>flow_generator</c>: pretrains a rectified-flow generator by flow matching (<see cref="FlowGeneratorEstimator"/>,
/// made by <c>mlContext.Models().FlowGenerator(options)</c> and fitted here on a data view of <c>pretrain.data</c>)
/// and produces the <see cref="FlowGeneratorModel"/> artifact. Its metrics: steps, parameters, forward multiply-adds
/// per sample, the loss at the start and end and a 50-point loss curve.
/// </summary>
public static class FlowGeneratorStage
{
    public static StageOutput Run(StageContext context, string name, FlowGeneratorEstimator estimator)
    {
        var options = estimator.Options;
        var videos = options.Pretrain.Data;
        if (options.Autoencoder is { } autoencoder && autoencoder.VideoShape != videos.Shape)
        {
            throw RuntimeErrors.InvalidOption(name, $"the autoencoder was trained on videos of shape {autoencoder.VideoShape}, but pretrain.data has shape {videos.Shape}");
        }

        using var given = GivenWeights.Open(context, name, ModelKinds.FlowGenerator, options.Init);
        if (given is not null)
        {
            given.RequireAgreement(ModelMetadata.Network, options.Autoencoder is null ? "mlp" : "conv", "with network", "a conv generator needs autoencoder = STAGE, an mlp one none");
            if (options.Autoencoder is { } space && given.Has(AutoencoderFile.Prefix) && !given.Holds(space, AutoencoderFile.Prefix))
            {
                context.Log($"warning {RuntimeDiagnosticCodes.GivenWeightsOtherAutoencoder}: stage {name}: {given.Path} was trained with another autoencoder than the one this stage is given, so its velocity network meets latents it never saw; give the stage the autoencoder it was trained with (its file's autoencoder.* tensors), or train it (pretrain.steps > 0).");
            }
        }

        using var metrics = StageProgress.OpenMetrics(context, name);
        estimator.Run = StageProgress.Training(context, name, options.Pretrain.Steps, metrics, given);
        var generator = estimator.Fit(videos.ToDataView(context.MLContextFor(name))).Generator;
        var trainer = estimator.Trainer!;
        var output = new StageOutput(name, "flow_generator", generator);
        output.Metrics["space"] = options.Autoencoder is null ? "pixels" : "latent " + options.Autoencoder.LatentShape;
        output.Metrics["steps"] = options.Pretrain.Steps;
        output.Metrics["parameters"] = generator.Network.parameters().Sum(p => p.numel());
        if (generator.Network is VelocityConvNet conv)
        {
            output.Metrics["forward_multiply_adds_per_sample"] = conv.MultiplyAddsPerSample;
        }

        if (options.Pretrain.Steps > 0)
        {
            output.Metrics["loss_start"] = trainer.MeanLoss(atStart: true);
            output.Metrics["loss_end"] = trainer.MeanLoss(atStart: false);
            output.Metrics["loss_curve"] = trainer.Curve();
        }
        return output;
    }
}

using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>Options of <c>latent_reward</c>; defaults and documentation are in the catalogue.</summary>
public sealed record LatentRewardOptions : StageOptions
{
    public required PreferencePairSet Train { get; set; }

    public VideoAutoencoder? Autoencoder { get; set; }

    public required bool Noisy { get; set; }

    public required int Width { get; set; }

    public required int Epochs { get; set; }

    public required double Centring { get; set; }

    public required double Lr { get; set; }

    public required int Batch { get; set; }

    public WeightsFile? Init { get; set; }
}

/// <summary>
/// <c>latent_reward</c>: trains a <see cref="LatentRewardModel"/> on the latents of <c>autoencoder</c>
/// (<see cref="LatentRewardEstimator"/>, made by <c>mlContext.Rewards().LatentReward(options)</c> and fitted here on a
/// data view of <c>train</c>). Without <c>autoencoder</c> the stage only keeps its estimator (a
/// <see cref="PendingLatentReward"/>), and <c>flow_nrg</c> trains it on the latents of the generator it guides.
/// </summary>
public static class LatentRewardStage
{
    public static StageOutput Run(StageContext context, string name, LatentRewardEstimator estimator)
    {
        if (estimator.Options.Autoencoder is null)
        {
            var deferred = new StageOutput(name, "latent_reward", new PendingLatentReward(name, estimator));
            deferred.Metrics["trained"] = "by the flow_nrg stage that uses it, on its generator's autoencoder";
            return deferred;
        }

        return Train(context, name, estimator).Output;
    }

    /// <summary>
    /// Fits the estimator (its options name the autoencoder) on a view of its training pairs: the stage's work, and
    /// flow_nrg's for a pending one. Returns the model and a stage output with its metrics.
    /// </summary>
    internal static (LatentRewardModel Model, StageOutput Output) Train(StageContext context, string name, LatentRewardEstimator estimator)
    {
        var options = estimator.Options;
        var view = options.Train.ToDataView();
        var data = RewardPairData.Read(view);
        var steps = LatentRewardEstimator.Steps(data.Count, options);
        using var given = GivenWeights.Open(context, name, ModelKinds.LatentReward, options.Init);
        if (given is not null)
        {
            given.RequireAgreement(ModelMetadata.Dimensions, JsonSerializer.Serialize(data.Dimensions.Where(d => d != DimensionNames.Overall).ToArray()), "for the dimensions", "give it pairs of the file's dimensions, in its order");
            if (options.Epochs == 0)
            {
                // Used as given, the weights are what the file says they are: noise-aware or not (guidance needs noise-aware).
                given.RequireAgreement(ModelMetadata.NoiseAware, options.Noisy ? "true" : "false", "with noise_aware =", options.Noisy
                    ? "set noisy = false on the stage (flow_nrg then needs ablation = true), or train it on noisy latents (epochs > 0)"
                    : "set noisy = true on the stage");
            }
        }

        using var metrics = StageProgress.OpenMetrics(context, name);
        var run = estimator.Run = StageProgress.Training(context, name, steps, metrics, given);
        LatentRewardModel model;
        try
        {
            model = estimator.Fit(view).Model;
        }
        catch (ArgumentException error)
        {
            throw RuntimeErrors.InvalidOption(name, error);
        }

        var trainer = estimator.Trainer!;
        var output = new StageOutput(name, "latent_reward", model);
        output.Metrics["noisy"] = options.Noisy;
        output.Metrics["pairs"] = data.Count;
        output.Metrics["steps"] = steps;
        output.Metrics["parameters"] = model.Network.parameters().Sum(p => p.numel());
        if (steps > 0)
        {
            output.Metrics["loss_start"] = trainer.MeanLoss(atStart: true);
            output.Metrics["loss_end"] = trainer.MeanLoss(atStart: false);
            output.Metrics["loss_curve"] = trainer.Curve();
        }

        foreach (var t in new[] { 0.0, 0.5, 0.9 })
        {
            // On the training pairs (the stage has no held-out split): how well it still ranks as noise grows.
            output.Metrics[$"train_accuracy_t{t:0.0}"] = LatentRewardTrainer.AccuracyAt(model, data, t, run.Seed, run.Device)
                .ToDictionary(a => a.Key, a => (object?)Math.Round(a.Value, 4));
        }

        context.Log(steps == 0
            ? $"{name}: the weights of {given?.Path} as given (epochs = 0)"
            : $"{name}: trained on {(options.Noisy ? "noisy" : "clean")} latents of {data.Count} pairs, {steps} steps, loss {trainer.Change(format: "0.###")}");
        return (model, output);
    }
}

/// <summary>
/// A <c>latent_reward</c> stage without an autoencoder: its estimator, trained by <see cref="Trained"/> on the
/// autoencoder of the generator that <c>flow_nrg</c> guides.
/// </summary>
public sealed class PendingLatentReward(string stage, LatentRewardEstimator estimator) : ILatentReward
{
    public string Stage { get; } = stage;

    /// <summary>The estimator the stage was given (its options name no autoencoder).</summary>
    public LatentRewardEstimator Estimator { get; } = estimator;

    public LatentRewardModel Trained(StageContext context, VideoAutoencoder autoencoder, out StageOutput? trained)
    {
        // The stage's estimator with the generator's autoencoder in its options, fitted as the stage fits one.
        var estimator = context.MLContextFor(Stage).Rewards().LatentReward(Estimator.Options with { Autoencoder = autoencoder });
        (var model, trained) = LatentRewardStage.Train(context, Stage, estimator);
        return model;
    }
}

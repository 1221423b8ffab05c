using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Torch;
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
/// <c>latent_reward</c>: trains a <see cref="LatentRewardModel"/> on the latents of <c>autoencoder</c> (see
/// <see cref="LatentRewardTrainer"/>). Without <c>autoencoder</c> the stage only prepares the training (a
/// <see cref="PendingLatentReward"/>), and <c>flow_nrg</c> trains it on the latents of the generator it guides.
/// </summary>
public static class LatentRewardStage
{
    public static StageOutput Run(StageContext context, string name, LatentRewardOptions options)
    {
        var pending = new PendingLatentReward(name, options.Train, new LatentRewardSettings(options.Noisy, options.Width, options.Epochs, options.Lr, options.Batch, context.StageSeed(name), options.Centring), options.Init);
        if (options.Autoencoder is null)
        {
            var deferred = new StageOutput(name, "latent_reward", pending);
            deferred.Metrics["trained"] = "by the flow_nrg stage that uses it, on its generator's autoencoder";
            return deferred;
        }

        var (model, output) = pending.Train(context, options.Autoencoder);
        return output;
    }
}

/// <summary>
/// A <c>latent_reward</c> stage without an autoencoder: its pairs and settings, trained by <see cref="Train"/> on the
/// autoencoder of the generator that <c>flow_nrg</c> guides.
/// </summary>
public sealed class PendingLatentReward(string stage, PreferencePairSet pairs, LatentRewardSettings settings, WeightsFile? init = null) : ILatentReward
{
    public string Stage { get; } = stage;

    public LatentRewardSettings Settings { get; } = settings;

    public LatentRewardModel Trained(StageContext context, VideoAutoencoder autoencoder, out StageOutput? trained)
    {
        (var model, trained) = Train(context, autoencoder);
        return model;
    }

    /// <summary>Trains on the latents of <paramref name="autoencoder"/>; returns the model and a stage output with its metrics.</summary>
    public (LatentRewardModel Model, StageOutput Output) Train(StageContext context, VideoAutoencoder autoencoder)
    {
        var device = context.Device.Resolve();
        var data = RewardPairData.Read(pairs.ToDataView(), pairs.Shape);
        var steps = Settings.Epochs * ((data.Count + Settings.Batch - 1) / Settings.Batch);
        using var given = GivenWeights.Open(context, Stage, ModelKinds.LatentReward, init);
        if (given is not null)
        {
            given.RequireAgreement(ModelMetadata.Dimensions, JsonSerializer.Serialize(data.Dimensions.Where(d => d != DimensionNames.Overall).ToArray()), "for the dimensions", "give it pairs of the file's dimensions, in its order");
            if (Settings.Epochs == 0)
            {
                // Used as given, the weights are what the file says they are: noise-aware or not (guidance needs noise-aware).
                given.RequireAgreement(ModelMetadata.NoiseAware, Settings.Noisy ? "true" : "false", "with noise_aware =", Settings.Noisy
                    ? "set noisy = false on the stage (flow_nrg then needs ablation = true), or train it on noisy latents (epochs > 0)"
                    : "set noisy = true on the stage");
            }
        }

        using var metrics = StageProgress.OpenMetrics(context, Stage);
        LatentRewardModel model;
        Trainer trainer;
        try
        {
            (model, trainer) = LatentRewardTrainer.Fit(data, autoencoder, Settings, device, Stage, StageProgress.Every(context, Stage, steps), metrics, given);
        }
        catch (ArgumentException error)
        {
            throw RuntimeErrors.InvalidOption(Stage, error);
        }

        var output = new StageOutput(Stage, "latent_reward", model);
        output.Metrics["noisy"] = Settings.Noisy;
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
            output.Metrics[$"train_accuracy_t{t:0.0}"] = LatentRewardTrainer.AccuracyAt(model, data, t, Settings.Seed, device)
                .ToDictionary(a => a.Key, a => (object?)Math.Round(a.Value, 4));
        }

        context.Log(steps == 0
            ? $"{Stage}: the weights of {given?.Path} as given (epochs = 0)"
            : $"{Stage}: trained on {(Settings.Noisy ? "noisy" : "clean")} latents of {data.Count} pairs, {steps} steps, loss {trainer.Change(format: "0.###")}");
        return (model, output);
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary>
/// Settings of autoencoder training (the <c>autoencoder</c> stage's options, resolved); <c>Edges</c>: whether the loss
/// fits pixel differences too (<see cref="VideoAutoencoder.Loss"/>).
/// </summary>
public sealed record AutoencoderSettings(LatentShape Latent, int Width, int Steps, double LearningRate, int Batch, long Seed, bool Edges = true);

/// <summary>
/// Trains a <see cref="VideoAutoencoder"/> on a video set by its loss (<see cref="VideoAutoencoder.Loss"/>; videos in [-1, 1]), with
/// seeded minibatches and Adam, and measures its reconstruction error over the whole set.
/// </summary>
public static class AutoencoderTrainer
{
    /// <summary>Trains from the seeded random initialisation, or from <c>given</c> weights (<c>init</c>).</summary>
    public static (VideoAutoencoder Model, Trainer Trainer) Fit(VideoSet videos, AutoencoderSettings settings, Device device, string stage, Action<int, float>? progress = null, StageMetricsLog? log = null, GivenWeights? given = null)
    {
        RandomStream.SeedInitialisation(settings.Seed);
        var model = new VideoAutoencoder(videos.Shape, settings.Latent, settings.Width);
        given?.LoadInto(model, string.Empty);
        model.to(device);
        using var data = VideoTensors.Signed(videos, device);
        var trainer = new Trainer(model, settings.LearningRate, stage, log);
        using var random = trainer.Track(RandomStream.Create(settings.Seed, device));
        trainer.Run(settings.Steps, _ =>
        {
            var index = random.Randint(videos.Count, settings.Batch);
            var x = data.index_select(0, index);
            return model.Loss(x, settings.Edges);
        }, progress);
        return (model, trainer);
    }

    /// <summary>
    /// Reconstructions of every video of the set, pixels in [0, 1]: the decoder's mean, or with
    /// <paramref name="noiseSeed"/> a sample (mean + σ·ε, ε from a generator with that seed) as generators decode.
    /// </summary>
    public static float[][] Reconstruct(VideoAutoencoder model, VideoSet videos, Device device, long? noiseSeed = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        using var data = VideoTensors.Signed(videos, device);
        using var noise = noiseSeed is { } seed ? RandomStream.Create(seed, device) : null;
        var result = new float[videos.Count][];
        for (var start = 0; start < videos.Count; start += 256)
        {
            using var inner = NewDisposeScope();
            var count = Math.Min(256, videos.Count - start);
            var pixels = ((model.Decode(model.Encode(data.narrow(0, start, count)), noise).clamp(-1, 1) + 1) / 2).contiguous().cpu().data<float>().ToArray();
            for (var i = 0; i < count; i++)
            {
                result[start + i] = pixels.AsSpan(i * videos.Shape.Length, videos.Shape.Length).ToArray();
            }
        }

        return result;
    }

    /// <summary>Mean squared reconstruction error over the set, with pixels in [0, 1].</summary>
    public static double ReconstructionError(VideoSet videos, float[][] reconstructions)
    {
        double sum = 0;
        long count = 0;
        for (var i = 0; i < videos.Count; i++)
        {
            var original = videos[i].Video.Data;
            for (var j = 0; j < original.Length; j++)
            {
                var d = original[j] - reconstructions[i][j];
                sum += d * d;
            }

            count += original.Length;
        }

        return sum / count;
    }
}

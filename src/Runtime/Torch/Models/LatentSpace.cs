using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// The space a flow generator works in. With an autoencoder: its latents, normalised per channel with the mean and
/// standard deviation measured on the pretraining videos (as latent diffusion models scale their VAE latents), so the
/// data has unit scale like the noise. Without one: pixels mapped from [0, 1] to [-1, 1].
/// </summary>
public sealed class LatentSpace
{
    private LatentSpace(VideoAutoencoder? autoencoder, float[] mean, float[] deviation, long[] sampleShape)
    {
        Autoencoder = autoencoder;
        Mean = mean;
        Deviation = deviation;
        SampleShapeWithoutBatch = sampleShape;
    }

    public VideoAutoencoder? Autoencoder { get; }

    /// <summary>Per-channel latent means (empty in pixel space).</summary>
    public float[] Mean { get; }

    /// <summary>Per-channel latent standard deviations (empty in pixel space).</summary>
    public float[] Deviation { get; }

    public long[] SampleShapeWithoutBatch { get; }

    public static LatentSpace Pixels(VideoShape shape) =>
        new(null, Array.Empty<float>(), Array.Empty<float>(), new long[] { shape.Channels, shape.Frames, shape.Height, shape.Width });

    /// <summary>A latent space whose statistics are measured on <paramref name="videos"/> ([N, C, T, H, W] in [-1, 1]).</summary>
    public static LatentSpace Measure(VideoAutoencoder autoencoder, Tensor videos)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        autoencoder.eval();
        var latents = EncodeInChunks(autoencoder, videos);
        var perChannel = latents.transpose(0, 1).reshape(autoencoder.LatentShape.Channels, -1);
        var mean = perChannel.mean(new long[] { 1 }).cpu().data<float>().ToArray();
        var deviation = perChannel.std(1).clamp_min(1e-4).cpu().data<float>().ToArray();
        var l = autoencoder.LatentShape;
        return new LatentSpace(autoencoder, mean, deviation, new long[] { l.Channels, l.Frames, l.Height, l.Width });
    }

    public static LatentSpace Restore(VideoAutoencoder autoencoder, float[] mean, float[] deviation)
    {
        var l = autoencoder.LatentShape;
        return new LatentSpace(autoencoder, mean, deviation, new long[] { l.Channels, l.Frames, l.Height, l.Width });
    }

    public long[] SampleShape(long batch) => new[] { batch }.Concat(SampleShapeWithoutBatch).ToArray();

    /// <summary>Videos [N, C, T, H, W] in [-1, 1] → samples of this space [N, ...].</summary>
    public Tensor FromVideos(Tensor videos)
    {
        using var scope = NewDisposeScope();
        if (Autoencoder is null)
        {
            return videos.alias().MoveToOuterDisposeScope();
        }

        using var noGrad = no_grad();
        Autoencoder.eval();
        var latents = EncodeInChunks(Autoencoder, videos);
        return ((latents - Broadcast(Mean, videos.device)) / Broadcast(Deviation, videos.device)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Samples of this space [N, ...] → videos [N, C, T, H, W] in [-1, 1] (clamped). With <paramref name="noise"/>,
    /// the autoencoder's decoder adds its predicted pixel noise σ·ε drawn from that source; without, its mean.
    /// </summary>
    public Tensor ToSignedVideos(Tensor samples, RandomStream? noise = null)
    {
        using var scope = NewDisposeScope();
        if (Autoencoder is null)
        {
            return samples.clamp(-1, 1).MoveToOuterDisposeScope();
        }

        Autoencoder.eval();
        var latents = (samples * Broadcast(Deviation, samples.device)) + Broadcast(Mean, samples.device);
        return Autoencoder.Decode(latents, noise).clamp(-1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Samples → videos with values in [0, 1] (see <see cref="ToSignedVideos"/> for <paramref name="noise"/>).</summary>
    public IReadOnlyList<Video> ToVideos(Tensor samples, VideoShape shape, RandomStream? noise = null)
    {
        using var scope = NewDisposeScope();
        var pixels = ((ToSignedVideos(samples, noise) + 1) / 2).contiguous().cpu().data<float>().ToArray();
        var size = shape.Length;
        return Enumerable.Range(0, (int)samples.shape[0]).Select(i => new Video(shape, pixels.AsSpan(i * size, size).ToArray())).ToArray();
    }

    private static Tensor Broadcast(float[] values, Device device) =>
        tensor(values, new long[] { 1, values.Length, 1, 1, 1 }, device: device);

    private static Tensor EncodeInChunks(VideoAutoencoder autoencoder, Tensor videos)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < videos.shape[0]; start += 256)
        {
            parts.Add(autoencoder.Encode(videos.narrow(0, start, Math.Min(256, videos.shape[0] - start))));
        }

        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}

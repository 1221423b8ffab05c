using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>
/// Object-centric measurements at full resolution, for text alignment: K learned attention maps per frame (a 3×3
/// convolution over the centred video and its frame differences, softmax over the frame's pixels) each pick out a
/// region; of each region the track keeps its colour offset from the frame's mean colour (and that offset's unit
/// direction: a prompt's colour is a direction in colour space), and the least-squares velocity of its centroid over
/// the clip (and its unit direction and its length). A prompt names a colour, a direction and a speed; these are the
/// video's answers, averaged over many pixels and frames, where pooled convolution features blur them.
/// </summary>
public sealed class ObjectTracks : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Per-frame positions are in [−1, 1]; velocities (per frame) are multiplied by this to be of order one.</summary>
    private const double VelocityScale = 10;

    private readonly Conv3d attention;

    public ObjectTracks(int regions)
        : base(nameof(ObjectTracks))
    {
        Regions = regions;
        attention = nn.Conv3d(6, regions, kernel_size: (1, 3, 3), padding: (0, 1, 1));
        RegisterComponents();
    }

    /// <summary>Features per region: colour offset (3), its direction (3), velocity (2), its direction (2), speed (1).</summary>
    public const int FeaturesPerRegion = 11;

    public int Regions { get; }

    /// <summary>Length of the feature vector, <see cref="Regions"/> · <see cref="FeaturesPerRegion"/>.</summary>
    public int Features => Regions * FeaturesPerRegion;

    /// <param name="centred">The video in [−1, 1], [B, 3, T, H, W].</param>
    /// <param name="difference">Its frame differences, [B, 3, T, H, W].</param>
    /// <returns>Features [B, <see cref="Features"/>].</returns>
    public override Tensor forward(Tensor centred, Tensor difference)
    {
        using var scope = NewDisposeScope();
        long batch = centred.shape[0], frames = centred.shape[2], height = centred.shape[3], width = centred.shape[4];
        var logits = attention.forward(cat(new[] { centred, difference }, 1)); // [B, K, T, H, W]
        var weights = logits.flatten(3).softmax(-1); // [B, K, T, HW]
        var pixels = centred.flatten(3); // [B, 3, T, HW]

        // Colour of each region per frame: Σ w · x over the pixels → [B, K, T, 3]; offset from the frame's mean colour.
        var colour = einsum("bktp,bctp->bktc", weights, pixels);
        var frameMean = pixels.mean(new long[] { 3 }).permute(0, 2, 1).unsqueeze(1); // [B, 1, T, 3]
        var offset = (colour - frameMean).mean(new long[] { 2 }); // [B, K, 3]
        var offsetDirection = offset / (offset.square().sum(-1, keepdim: true) + 1e-4).sqrt();

        var ys = linspace(-1, 1, height, device: centred.device).reshape(height, 1).expand(height, width).reshape(height * width);
        var xs = linspace(-1, 1, width, device: centred.device).reshape(1, width).expand(height, width).reshape(height * width);
        var centroid = stack(new[] { (weights * xs).sum(-1), (weights * ys).sum(-1) }, -1); // [B, K, T, 2]
        var time = arange(frames, dtype: ScalarType.Float32, device: centred.device);
        time = (time - time.mean()).reshape(1, 1, frames, 1);
        var velocity = frames > 1
            ? (time * centroid).sum(2) / time.square().sum() * VelocityScale // least squares slope, [B, K, 2]
            : zeros(batch, Regions, 2, device: centred.device);
        var speed = (velocity.square().sum(-1, keepdim: true) + 1e-4).sqrt();
        var features = cat(new[] { offset, offsetDirection, velocity, velocity / speed, speed }, -1);
        return features.reshape(batch, Features).MoveToOuterDisposeScope();
    }
}

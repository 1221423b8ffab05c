using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>
/// The reward model's video encoder. A video [B, 3, T, H, W] in [0, 1] is centred to [−1, 1] and its frame-to-frame
/// differences are stacked as three more channels (motion quality needs motion). Factorised 3-D convolutions follow:
/// spatial (1×3×3, stride 2), temporal (3×1×1), spatial (1×3×3, stride 2), temporal (3×1×1), each with GELU.
/// <see cref="Encode"/> returns the final feature map [B, width, T, H/4, W/4] and motion features [B, 4·width]: each
/// channel of the half-resolution map is tracked through time by a spatial soft-argmax (its expected position under
/// a softmax over the frame, with a learned temperature per channel), and the track's mean velocity (x, y), mean
/// speed and mean acceleration magnitude are kept — direction and speed for text alignment, jerk for motion quality.
/// <see cref="Pool"/> turns a map and the motion features into features [B, width].
/// </summary>
public sealed class RewardVideoEncoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Positions are in [−1, 1]; per-frame displacements are multiplied by this to be of order one.</summary>
    private const double MotionScale = 10;

    private readonly Conv3d spatial1;
    private readonly Conv3d temporal1;
    private readonly Conv3d spatial2;
    private readonly Conv3d temporal2;
    private readonly Parameter temperature;
    private readonly Linear project;

    public RewardVideoEncoder(int width)
        : base(nameof(RewardVideoEncoder))
    {
        Width = width;
        spatial1 = nn.Conv3d(6, width, kernel_size: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1));
        temporal1 = nn.Conv3d(width, width, kernel_size: (3, 1, 1), padding: (1, 0, 0));
        spatial2 = nn.Conv3d(width, width, kernel_size: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1));
        temporal2 = nn.Conv3d(width, width, kernel_size: (3, 1, 1), padding: (1, 0, 0));
        temperature = nn.Parameter(ones(width));
        project = nn.Linear(6 * width, width);
        RegisterComponents();
    }

    public int Width { get; }

    /// <summary>The final feature map only (see <see cref="Encode"/>).</summary>
    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        var (centred, difference) = Prepare(video);
        return Encode(centred, difference).Map.MoveToOuterDisposeScope();
    }

    /// <summary>The final feature map [B, width, T, H', W'] and the motion features [B, 4·width].</summary>
    /// <param name="x">The centred video (<see cref="Prepare"/>).</param>
    /// <param name="difference">Its frame differences.</param>
    public (Tensor Map, Tensor Motion) Encode(Tensor x, Tensor difference)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.gelu(spatial1.forward(cat(new[] { x, difference }, 1)));
        h = nn.functional.gelu(temporal1.forward(h)) + h;
        var motion = Motion(h);
        h = nn.functional.gelu(spatial2.forward(h));
        h = nn.functional.gelu(temporal2.forward(h)) + h;
        return (h.MoveToOuterDisposeScope(), motion.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// What every reader of a video starts from: the video centred to [−1, 1], and its frame-to-frame differences
    /// (zero for the first frame), both [B, 3, T, H, W].
    /// </summary>
    public static (Tensor Centred, Tensor Difference) Prepare(Tensor video)
    {
        using var scope = NewDisposeScope();
        var x = (video * 2) - 1;
        var frames = x.shape[2];
        var difference = frames > 1
            ? cat(new[] { zeros_like(x.narrow(2, 0, 1)), x.narrow(2, 1, frames - 1) - x.narrow(2, 0, frames - 1) }, 2)
            : zeros_like(x);
        return (x.MoveToOuterDisposeScope(), difference.MoveToOuterDisposeScope());
    }

    /// <summary>Feature map [B, width, T, H', W'] and motion features [B, 4·width] → features [B, width].</summary>
    public Tensor Pool(Tensor map, Tensor motion)
    {
        using var scope = NewDisposeScope();
        var flat = map.flatten(2);
        var pooled = cat(new[] { flat.mean(new long[] { 2 }), flat.amax(new long[] { 2 }), motion }, 1);
        return nn.functional.gelu(project.forward(pooled)).MoveToOuterDisposeScope();
    }

    private Tensor Motion(Tensor map)
    {
        long batch = map.shape[0], channels = map.shape[1], frames = map.shape[2], height = map.shape[3], width = map.shape[4];
        var weights = (map.flatten(3) * temperature.reshape(1, channels, 1, 1)).softmax(-1);
        var ys = linspace(-1, 1, height, device: map.device).reshape(height, 1).expand(height, width).reshape(height * width);
        var xs = linspace(-1, 1, width, device: map.device).reshape(1, width).expand(height, width).reshape(height * width);
        var px = (weights * xs).sum(-1);
        var py = (weights * ys).sum(-1);
        if (frames < 3)
        {
            return zeros(batch, 4 * channels, device: map.device);
        }

        var vx = (px.narrow(2, 1, frames - 1) - px.narrow(2, 0, frames - 1)) * MotionScale;
        var vy = (py.narrow(2, 1, frames - 1) - py.narrow(2, 0, frames - 1)) * MotionScale;
        var ax = vx.narrow(2, 1, frames - 2) - vx.narrow(2, 0, frames - 2);
        var ay = vy.narrow(2, 1, frames - 2) - vy.narrow(2, 0, frames - 2);
        var speed = (vx.square() + vy.square() + 1e-6).sqrt().mean(new long[] { 2 });
        var jerk = (ax.square() + ay.square() + 1e-6).sqrt().mean(new long[] { 2 });
        return cat(new[] { vx.mean(new long[] { 2 }), vy.mean(new long[] { 2 }), speed, jerk }, 1);
    }
}

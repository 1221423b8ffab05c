using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Models.Reward;

/// <summary>
/// The reward model's video encoder: a video [B, 3, T, H, W] in [0, 1] → features [B, width]. The input is centred
/// to [−1, 1] and the frame-to-frame differences are stacked as three more channels (motion quality needs motion).
/// Factorised 3-D convolutions: spatial (1×3×3, stride 2), temporal (3×1×1), spatial (1×3×3, stride 2), temporal
/// (3×1×1), each followed by GELU, then mean- and max-pooling over time and space and a linear projection.
/// </summary>
public sealed class RewardVideoEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d spatial1;
    private readonly Conv3d temporal1;
    private readonly Conv3d spatial2;
    private readonly Conv3d temporal2;
    private readonly Linear project;

    public RewardVideoEncoder(int width)
        : base(nameof(RewardVideoEncoder))
    {
        Width = width;
        spatial1 = nn.Conv3d(6, width, kernel_size: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1));
        temporal1 = nn.Conv3d(width, width, kernel_size: (3, 1, 1), padding: (1, 0, 0));
        spatial2 = nn.Conv3d(width, width, kernel_size: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1));
        temporal2 = nn.Conv3d(width, width, kernel_size: (3, 1, 1), padding: (1, 0, 0));
        project = nn.Linear(2 * width, width);
        RegisterComponents();
    }

    public int Width { get; }

    public override Tensor forward(Tensor video)
    {
        using var scope = NewDisposeScope();
        var x = (video * 2) - 1;
        var frames = x.shape[2];
        var difference = frames > 1
            ? cat(new[] { zeros_like(x.narrow(2, 0, 1)), x.narrow(2, 1, frames - 1) - x.narrow(2, 0, frames - 1) }, 2)
            : zeros_like(x);
        var h = nn.functional.gelu(spatial1.forward(cat(new[] { x, difference }, 1)));
        h = nn.functional.gelu(temporal1.forward(h)) + h;
        h = nn.functional.gelu(spatial2.forward(h));
        h = nn.functional.gelu(temporal2.forward(h)) + h;
        var flat = h.flatten(2);
        var pooled = cat(new[] { flat.mean(new long[] { 2 }), flat.amax(new long[] { 2 }) }, 1);
        return nn.functional.gelu(project.forward(pooled)).MoveToOuterDisposeScope();
    }
}

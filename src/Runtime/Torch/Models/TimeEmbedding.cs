using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>Sinusoidal features of the flow time t ∈ [0, 1], so a network can tell noise levels apart.</summary>
public static class TimeEmbedding
{
    /// <summary>[B] → [B, features]: sin and cos of t at geometrically spaced frequencies from 1 to 1000.</summary>
    public static Tensor Encode(Tensor t, int features)
    {
        var half = features / 2;
        using var exponents = arange(half, dtype: ScalarType.Float32, device: t.device) / Math.Max(1, half - 1);
        using var frequencies = pow(1000f, exponents);
        using var angles = t.unsqueeze(1) * frequencies.unsqueeze(0);
        using var sin = angles.sin();
        using var cos = angles.cos();
        return cat(new[] { sin, cos }, 1);
    }
}

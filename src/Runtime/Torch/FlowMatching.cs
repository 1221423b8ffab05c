using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// Rectified-flow conventions (videoalign-paper.md §3): x_t = (1 − t)·x0 + t·ε, the velocity target is ε − x0, and
/// sampling integrates from t = 1 (noise) to t = 0 (data).
/// </summary>
public static class FlowMatching
{
    /// <summary>x_t for data x0 [B, ...], noise ε of the same shape and times t [B].</summary>
    public static Tensor Interpolate(Tensor x0, Tensor noise, Tensor t)
    {
        using var scope = NewDisposeScope();
        var shape = new long[x0.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var tt = t.reshape(shape);
        return ((1 - tt) * x0 + tt * noise).MoveToOuterDisposeScope();
    }

    /// <summary>The per-sample flow-matching error: mean over elements of (v − (ε − x0))², shape [B].</summary>
    public static Tensor PerSampleError(Tensor velocity, Tensor x0, Tensor noise)
    {
        using var scope = NewDisposeScope();
        var target = noise - x0;
        var squared = (velocity - target).pow(2);
        return squared.reshape(squared.shape[0], -1).mean(new long[] { 1 }).MoveToOuterDisposeScope();
    }
}

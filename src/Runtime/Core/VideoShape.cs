namespace Pipeline.Runtime.Core;

/// <summary>
/// The shape of a video tensor in the layout used everywhere in the runtime: channels, frames, height, width
/// (C, T, H, W), row-major, so that element (c, t, h, w) lives at <c>((c * T + t) * H + h) * W + w</c>.
/// </summary>
/// <param name="Channels">Number of colour channels (3 for RGB).</param>
/// <param name="Frames">Number of frames T.</param>
/// <param name="Height">Frame height H in pixels.</param>
/// <param name="Width">Frame width W in pixels.</param>
public readonly record struct VideoShape(int Channels, int Frames, int Height, int Width)
{
    /// <summary>Total number of elements, C·T·H·W.</summary>
    public int Length => Channels * Frames * Height * Width;

    /// <summary>Number of pixels in one frame of one channel, H·W.</summary>
    public int PlaneLength => Height * Width;

    /// <summary>The dimensions as an array in C, T, H, W order (for vector column types).</summary>
    public int[] ToArray() => [Channels, Frames, Height, Width];

    /// <summary>The flat index of element (c, t, h, w).</summary>
    public int IndexOf(int c, int t, int h, int w) => ((c * Frames + t) * Height + h) * Width + w;

    /// <summary>The flat index of the first element of the plane (c, t).</summary>
    public int PlaneOffset(int c, int t) => (c * Frames + t) * Height * Width;

    /// <summary>Throws when a dimension is not positive.</summary>
    public void Validate()
    {
        if (Channels <= 0 || Frames <= 0 || Height <= 0 || Width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(VideoShape), $"Every video dimension must be positive, got {this}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Channels}, {Frames}, {Height}, {Width}]";
}

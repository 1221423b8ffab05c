namespace Pipeline.Runtime.Core;

/// <summary>
/// Pixels as bytes: a decoded 8-bit video value b is the float b / 255 (single precision), which is what a video
/// decoded into memory holds. Every conversion, on the CPU here and on a training device through a 256-entry table
/// (<c>Torch/VideoBatch</c>), uses <see cref="Values"/>, so a video read from the store trains exactly like the same
/// video decoded into floats.
/// </summary>
public static class PixelBytes
{
    private static readonly float[] Table = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>The float of each byte value, b / 255f.</summary>
    public static IReadOnlyList<float> Values => Table;

    /// <summary>Converts bytes to their floats.</summary>
    public static void ToFloats(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (destination.Length < bytes.Length)
        {
            throw new ArgumentException("the destination is shorter than the bytes", nameof(destination));
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            destination[i] = Table[bytes[i]];
        }
    }
}

using Pipeline.Runtime.Core;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// Minibatches of videos for training and scoring, gathered row by row from <see cref="VideoRows"/>: only the batch is
/// ever in memory. Rows stored as bytes (a decoded-video store) travel to the device as bytes, a quarter of the
/// floats' size, and become floats there through the 256-entry table of <see cref="PixelBytes"/>, so the values are
/// exactly those of the same videos decoded into floats.
/// </summary>
public static class VideoBatch
{
    /// <summary>The rows <paramref name="indices"/> as a float tensor [n, C, T, H, W] in [0, 1] on <paramref name="device"/>.</summary>
    public static Tensor Gather(VideoRows rows, ReadOnlySpan<long> indices, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var shape = rows.Shape;
        var length = shape.Length;
        var dimensions = new long[] { indices.Length, shape.Channels, shape.Frames, shape.Height, shape.Width };
        var bytes = new byte[checked(indices.Length * length)];
        var allBytes = true;
        for (var i = 0; i < indices.Length && allBytes; i++)
        {
            allBytes = rows.TryCopyBytes(checked((int)indices[i]), bytes.AsSpan(i * length, length));
        }

        if (allBytes)
        {
            using var scope = NewDisposeScope();
            var table = tensor(PixelBytes.Values.ToArray(), device: device);
            var onDevice = tensor(bytes, dimensions, device: device);
            return table.index_select(0, onDevice.flatten().to(ScalarType.Int64)).reshape(dimensions).MoveToOuterDisposeScope();
        }

        var floats = new float[checked(indices.Length * length)];
        for (var i = 0; i < indices.Length; i++)
        {
            rows.CopyFloats(checked((int)indices[i]), floats.AsSpan(i * length, length));
        }

        return tensor(floats, dimensions, device: device);
    }

    /// <summary>The rows <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 (see <see cref="Gather(VideoRows, ReadOnlySpan{long}, Device)"/>).</summary>
    public static Tensor Range(VideoRows rows, int start, int count, Device device)
    {
        var indices = new long[count];
        for (var i = 0; i < count; i++)
        {
            indices[i] = start + i;
        }

        return Gather(rows, indices, device);
    }
}

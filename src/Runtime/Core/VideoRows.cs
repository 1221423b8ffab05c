namespace Pipeline.Runtime.Core;

/// <summary>
/// Videos of one shape by row, for readers that take a few rows at a time (a minibatch, a scoring chunk) so that
/// memory does not grow with the data set. A row is floats in [0, 1], or bytes when it lives in a decoded-video store
/// (value = byte / 255, <see cref="PixelBytes"/>): those stay bytes until they reach the training device.
/// </summary>
public abstract class VideoRows
{
    protected VideoRows(VideoShape shape, int count)
    {
        shape.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Shape = shape;
        Count = count;
    }

    /// <summary>The shape of every row.</summary>
    public VideoShape Shape { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Copies row <paramref name="row"/> as floats in [0, 1] (C, T, H, W) into <paramref name="destination"/>.</summary>
    public abstract void CopyFloats(int row, Span<float> destination);

    /// <summary>
    /// Copies row <paramref name="row"/> as bytes into <paramref name="destination"/> when it is stored as bytes;
    /// false (nothing copied) when it is floats.
    /// </summary>
    public virtual bool TryCopyBytes(int row, Span<byte> destination) => false;

    /// <summary>Rows over one flat float buffer [Count, C·T·H·W] (not copied).</summary>
    public static VideoRows FromFloats(VideoShape shape, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length % shape.Length != 0)
        {
            throw new ArgumentException($"{values.Length} values are not a whole number of videos of shape {shape}.", nameof(values));
        }

        return new FloatRows(shape, values);
    }

    /// <summary>These rows followed by <paramref name="other"/>'s (the same shape).</summary>
    public VideoRows Concat(VideoRows other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Shape != Shape)
        {
            throw new ArgumentException($"rows of shape {other.Shape} cannot follow rows of shape {Shape}.", nameof(other));
        }

        return new ConcatenatedRows(this, other);
    }

    /// <summary>Every row as one flat float buffer [Count, C·T·H·W] (the whole data in memory: for small sets only).</summary>
    public float[] ToFloats()
    {
        var values = new float[checked(Count * Shape.Length)];
        for (var i = 0; i < Count; i++)
        {
            CopyFloats(i, values.AsSpan(i * Shape.Length, Shape.Length));
        }

        return values;
    }

    private sealed class FloatRows(VideoShape shape, float[] values) : VideoRows(shape, values.Length / shape.Length)
    {
        public override void CopyFloats(int row, Span<float> destination) =>
            values.AsSpan(checked(row * Shape.Length), Shape.Length).CopyTo(destination);
    }

    private sealed class ConcatenatedRows(VideoRows first, VideoRows second) : VideoRows(first.Shape, first.Count + second.Count)
    {
        public override void CopyFloats(int row, Span<float> destination)
        {
            if (row < first.Count)
            {
                first.CopyFloats(row, destination);
            }
            else
            {
                second.CopyFloats(row - first.Count, destination);
            }
        }

        public override bool TryCopyBytes(int row, Span<byte> destination) =>
            row < first.Count ? first.TryCopyBytes(row, destination) : second.TryCopyBytes(row - first.Count, destination);
    }
}

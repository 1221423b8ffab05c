namespace Pipeline.Runtime.Core;

/// <summary>
/// A video as a flat array of floats in C, T, H, W layout (see <see cref="VideoShape"/>), RGB values in [0, 1].
/// </summary>
public sealed class Video
{
    /// <summary>Wraps <paramref name="data"/> (not copied) with its shape.</summary>
    /// <exception cref="ArgumentException">When the data length does not match the shape.</exception>
    public Video(VideoShape shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        shape.Validate();
        if (data.Length != shape.Length)
        {
            throw new ArgumentException($"A video of shape {shape} needs {shape.Length} values, got {data.Length}.", nameof(data));
        }

        Shape = shape;
        Data = data;
    }

    /// <summary>The shape, C, T, H, W.</summary>
    public VideoShape Shape { get; }

    /// <summary>The values, C, T, H, W row-major.</summary>
    public float[] Data { get; }

    /// <summary>The value at channel <paramref name="c"/>, frame <paramref name="t"/>, row <paramref name="h"/>, column <paramref name="w"/>.</summary>
    public float this[int c, int t, int h, int w] => Data[Shape.IndexOf(c, t, h, w)];

    /// <summary>The plane of one channel of one frame (H·W values, row-major).</summary>
    public ReadOnlySpan<float> Plane(int c, int t) => Data.AsSpan(Shape.PlaneOffset(c, t), Shape.PlaneLength);
}

using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Tests.Data;

/// <summary>Draws test videos pixel by pixel, independently of the world's renderer.</summary>
internal static class HandMadeVideo
{
    public static readonly float[] Red = [0.90f, 0.15f, 0.15f];
    public static readonly float[] Green = [0.15f, 0.85f, 0.20f];

    /// <summary>A disk of radius <paramref name="radius"/> whose centre in frame t is <paramref name="centres"/>[t].</summary>
    public static Video Disk(IReadOnlyList<(double X, double Y)> centres, float[] colour, double radius = 3,
        int size = 16, double noiseSd = 0, bool blur = false, IReadOnlyList<double>? gains = null, int seed = 1)
    {
        var frames = centres.Count;
        var shape = new VideoShape(3, frames, size, size);
        var data = new float[shape.Length];
        var rng = new Random(seed);
        float[] background = [0.10f, 0.10f, 0.12f];
        for (var t = 0; t < frames; t++)
        {
            var gain = gains?[t] ?? 1.0;
            for (var c = 0; c < 3; c++)
            {
                var plane = new double[size * size];
                for (var h = 0; h < size; h++)
                {
                    for (var w = 0; w < size; w++)
                    {
                        var dx = w - centres[t].X;
                        var dy = h - centres[t].Y;
                        var inside = dx * dx + dy * dy <= radius * radius;
                        plane[h * size + w] = inside ? colour[c] : background[c];
                    }
                }

                if (blur)
                {
                    plane = Box5(plane, size);
                }

                for (var i = 0; i < plane.Length; i++)
                {
                    var noise = noiseSd == 0 ? 0 : noiseSd * Gaussian(rng);
                    data[shape.PlaneOffset(c, t) + i] = (float)Math.Clamp(plane[i] * gain + noise, 0, 1);
                }
            }
        }

        return new Video(shape, data);
    }

    /// <summary>A straight track from <paramref name="start"/> moving <paramref name="step"/> pixels per frame.</summary>
    public static (double X, double Y)[] Track((double X, double Y) start, (double X, double Y) step, int frames = 8) =>
        Enumerable.Range(0, frames).Select(t => (start.X + step.X * t, start.Y + step.Y * t)).ToArray();

    private static double[] Box5(double[] plane, int size)
    {
        var result = new double[plane.Length];
        for (var h = 0; h < size; h++)
        {
            for (var w = 0; w < size; w++)
            {
                double sum = 0;
                for (var dy = -2; dy <= 2; dy++)
                {
                    for (var dx = -2; dx <= 2; dx++)
                    {
                        sum += plane[Math.Clamp(h + dy, 0, size - 1) * size + Math.Clamp(w + dx, 0, size - 1)];
                    }
                }

                result[h * size + w] = sum / 25;
            }
        }

        return result;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

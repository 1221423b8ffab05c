using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// Draws one synthetic video: a coloured shape moving in a straight line over a flat background, spoiled by the
/// defects of the generator that renders it (see <see cref="GeneratorProfile"/>). Pure arithmetic on arrays.
/// </summary>
internal static class SyntheticRenderer
{
    /// <summary>The reference frame side the pixel-sized defects (blur, jitter) are expressed at.</summary>
    internal const double ReferenceSide = 16.0;

    /// <summary>The share of the free room around the path over which its position is drawn at random (see Render).</summary>
    internal const double PositionSlackShare = 0.25;

    public static Video Render(SyntheticPrompt prompt, GeneratorProfile profile, VideoShape shape, SeededRandom rng)
    {
        int frames = shape.Frames, height = shape.Height, width = shape.Width;
        var side = Math.Min(height, width);
        var scale = side / ReferenceSide;

        // Every random draw happens in this fixed order, so a video depends only on its seed.
        var colourIndex = prompt.Colour;
        if (rng.NextDouble() < profile.ColourErrorRate)
        {
            colourIndex = (colourIndex + 1 + rng.NextInt(SyntheticVocabulary.ColourCount - 1)) % SyntheticVocabulary.ColourCount;
        }

        var colour = new double[3];
        for (var c = 0; c < 3; c++)
        {
            colour[c] = Math.Clamp(SyntheticVocabulary.ColourValues[colourIndex][c] + profile.TintSd * rng.NextGaussian(), 0, 1);
        }

        var drawnShape = prompt.Shape;
        if (rng.NextDouble() < profile.ShapeErrorRate)
        {
            drawnShape = (SyntheticShape)(((int)drawnShape + 1 + rng.NextInt(2)) % 3);
        }

        var direction = prompt.Direction;
        if (rng.NextDouble() < profile.DirectionErrorRate)
        {
            direction = (SyntheticDirection)(((int)direction + 1 + rng.NextInt(7)) % 8);
        }

        var (dx, dy) = SyntheticVocabulary.DirectionVector(direction);
        var angle = Math.Atan2(dy, dx) + profile.AngleSdDegrees * Math.PI / 180 * rng.NextGaussian();
        var travel = SyntheticVocabulary.TravelFraction(prompt.Speed) * side * Math.Exp(0.1 * rng.NextGaussian());
        var step = travel / (frames - 1);
        var (vx, vy) = (step * Math.Cos(angle), step * Math.Sin(angle));
        var radius = SyntheticVocabulary.RadiusFraction(prompt.Size) * side * Math.Exp(0.08 * rng.NextGaussian());

        // Centre the path, then shift it at random within a quarter of the slack that keeps the object inside the frame.
        // Oracle 1.1 used the whole slack: the start position then varied far more than the prompted travel (up to
        // ±4.4 px against a travel of 3.2 px at 16 px), and a CPU-sized latent generator learned colour but not the
        // prompted direction (mean direction error 79°, worse than the worst world generator's 51°). With a quarter,
        // the same generator's error fell to 43° (1.2).
        double SlackOffset(double extent, double velocity) =>
            Math.Max(0, (extent - 2 * radius - Math.Abs(velocity) * (frames - 1)) / 2 - 0.5) * (2 * rng.NextDouble() - 1) * PositionSlackShare;
        var centreX = (width - 1) / 2.0 + SlackOffset(width, vx);
        var centreY = (height - 1) / 2.0 + SlackOffset(height, vy);

        var jitter = profile.JitterPixels * scale * Math.Exp(0.5 * rng.NextGaussian());
        var flicker = profile.FlickerSd * Math.Exp(0.5 * rng.NextGaussian());
        var blur = profile.BlurSigma * scale * Math.Exp(0.5 * rng.NextGaussian());
        var noise = profile.NoiseSd * Math.Exp(0.5 * rng.NextGaussian());

        var data = new float[shape.Length];
        var plane = shape.PlaneLength;
        var coverage = new double[plane];
        var scratch = new double[plane];
        for (var t = 0; t < frames; t++)
        {
            var offset = t - (frames - 1) / 2.0;
            var px = centreX + vx * offset + jitter * rng.NextGaussian();
            var py = centreY + vy * offset + jitter * rng.NextGaussian();
            var gain = Math.Clamp(1 + flicker * rng.NextGaussian(), 0.5, 1.5);
            for (var h = 0; h < height; h++)
            {
                for (var w = 0; w < width; w++)
                {
                    coverage[h * width + w] = Math.Clamp(0.5 - SignedDistance(drawnShape, w - px, h - py, radius), 0, 1);
                }
            }

            // Each channel is background + (colour − background) · coverage, linear in the coverage, so blurring the
            // coverage once blurs every channel.
            GaussianBlur(coverage, scratch, height, width, blur);
            for (var c = 0; c < 3; c++)
            {
                var background = SyntheticVocabulary.Background[c];
                var target = data.AsSpan(shape.PlaneOffset(c, t), plane);
                for (var i = 0; i < plane; i++)
                {
                    var value = background * (1 - coverage[i]) + colour[c] * coverage[i];
                    target[i] = (float)Math.Clamp(value * gain + noise * rng.NextGaussian(), 0, 1);
                }
            }
        }

        return new Video(shape, data);
    }

    /// <summary>Signed distance in pixels from a point (relative to the centre) to the shape's boundary; negative inside.</summary>
    internal static double SignedDistance(SyntheticShape shape, double x, double y, double radius) => shape switch
    {
        SyntheticShape.Disk => Math.Sqrt(x * x + y * y) - radius,
        SyntheticShape.Square => Math.Max(Math.Abs(x), Math.Abs(y)) - radius,
        SyntheticShape.Diamond => (Math.Abs(x) + Math.Abs(y) - radius) / Math.Sqrt(2),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>Separable Gaussian blur in place, edges clamped; a no-op for sigma below 0.05 px.</summary>
    internal static void GaussianBlur(double[] plane, double[] scratch, int height, int width, double sigma)
    {
        if (sigma < 0.05)
        {
            return;
        }

        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new double[2 * radius + 1];
        var sum = 0.0;
        for (var k = -radius; k <= radius; k++)
        {
            kernel[k + radius] = Math.Exp(-k * k / (2 * sigma * sigma));
            sum += kernel[k + radius];
        }

        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }

        for (var h = 0; h < height; h++)
        {
            for (var w = 0; w < width; w++)
            {
                var acc = 0.0;
                for (var k = -radius; k <= radius; k++)
                {
                    acc += kernel[k + radius] * plane[h * width + Math.Clamp(w + k, 0, width - 1)];
                }

                scratch[h * width + w] = acc;
            }
        }

        for (var h = 0; h < height; h++)
        {
            for (var w = 0; w < width; w++)
            {
                var acc = 0.0;
                for (var k = -radius; k <= radius; k++)
                {
                    acc += kernel[k + radius] * scratch[Math.Clamp(h + k, 0, height - 1) * width + w];
                }

                plane[h * width + w] = acc;
            }
        }
    }
}

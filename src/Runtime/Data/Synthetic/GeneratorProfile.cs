namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// The defect profile of one procedural generator of the synthetic world. Each video a generator renders draws its
/// own defect magnitudes around these values, so quality varies within a generator as well as between generators.
/// </summary>
/// <param name="Index">The generator's index; 0 is the best, K−1 the worst.</param>
/// <param name="NoiseSd">VQ: standard deviation of additive per-pixel Gaussian noise.</param>
/// <param name="BlurSigma">VQ: Gaussian blur radius in pixels at 16 px (scaled with the frame size).</param>
/// <param name="JitterPixels">MQ: standard deviation of a per-frame random offset of the object, in pixels at 16 px.</param>
/// <param name="FlickerSd">MQ: standard deviation of a per-frame multiplicative brightness gain.</param>
/// <param name="ColourErrorRate">TA: probability of drawing another colour of the palette than the prompt's.</param>
/// <param name="TintSd">TA: standard deviation of a per-video additive colour tint, per channel.</param>
/// <param name="DirectionErrorRate">TA: probability of moving in another direction than the prompt's.</param>
/// <param name="AngleSdDegrees">TA: standard deviation of the motion direction's angle error, in degrees.</param>
/// <param name="ShapeErrorRate">TA: probability of drawing another shape than the prompt's.</param>
public sealed record GeneratorProfile(
    int Index,
    double NoiseSd,
    double BlurSigma,
    double JitterPixels,
    double FlickerSd,
    double ColourErrorRate,
    double TintSd,
    double DirectionErrorRate,
    double AngleSdDegrees,
    double ShapeErrorRate)
{
    /// <summary>
    /// The fixed profiles of K generators. Generator i has a defect level per dimension; the levels of the first and
    /// last generators are 0 and 1 in every dimension (clearly best and clearly worst), and those in between rise
    /// with i, each dimension shifted by its own phase so that the dimensions are not perfectly correlated (as in the
    /// paper, a model can be good at VQ and poor at TA). Profiles depend only on K, never on a seed.
    /// </summary>
    public static IReadOnlyList<GeneratorProfile> Create(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var profiles = new GeneratorProfile[count];
        for (var i = 0; i < count; i++)
        {
            var level = (double)i / (count - 1);
            // The bump vanishes at both ends, so only the middle generators get per-dimension specialisation.
            var bump = 4 * level * (1 - level);
            double Level(double phase) => Math.Clamp(level + 0.25 * bump * Math.Sin(2 * Math.PI * (level * 1.5 + phase)), 0, 1);
            var vq = Level(0.0);
            var mq = Level(1.0 / 3);
            var ta = Level(2.0 / 3);
            profiles[i] = new GeneratorProfile(
                Index: i,
                NoiseSd: 0.005 + 0.095 * vq,
                BlurSigma: 0.05 + 1.25 * vq,
                JitterPixels: 0.03 + 0.90 * mq,
                FlickerSd: 0.005 + 0.115 * mq,
                ColourErrorRate: 0.01 + 0.20 * ta,
                TintSd: 0.02 + 0.13 * ta,
                DirectionErrorRate: 0.01 + 0.20 * ta,
                AngleSdDegrees: 3 + 27 * ta,
                ShapeErrorRate: 0.01 + 0.20 * ta);
        }

        return profiles;
    }
}

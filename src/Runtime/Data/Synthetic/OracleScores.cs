namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// The oracle's scores of one video on the three dimensions of the paper: visual quality (VQ), motion quality
/// (MQ) and text alignment (TA). Raw or z-normalised, depending on where they come from.
/// </summary>
/// <param name="VQ">Visual quality.</param>
/// <param name="MQ">Motion quality.</param>
/// <param name="TA">Text alignment.</param>
public readonly record struct OracleScores(double VQ, double MQ, double TA)
{
    /// <summary>The mean of the three scores; on z-normalised scores this is the contract's Overall score.</summary>
    public double Overall => (VQ + MQ + TA) / 3;

    /// <summary>The score of one dimension (<see cref="PreferenceDimension.Overall"/> gives <see cref="Overall"/>).</summary>
    public double this[PreferenceDimension dimension] => dimension switch
    {
        PreferenceDimension.VQ => VQ,
        PreferenceDimension.MQ => MQ,
        PreferenceDimension.TA => TA,
        PreferenceDimension.Overall => Overall,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };
}

/// <summary>
/// Per-dimension mean and standard deviation of raw oracle scores on the world's reference set (its video set
/// <see cref="SyntheticWorld.Videos"/>), used to z-normalise oracle scores.
/// </summary>
/// <param name="Mean">Mean raw score per dimension.</param>
/// <param name="StandardDeviation">Standard deviation of the raw score per dimension (population form, never 0).</param>
/// <param name="Count">Number of reference videos.</param>
public sealed record OracleNormalization(OracleScores Mean, OracleScores StandardDeviation, int Count)
{
    /// <summary>Fits the statistics to raw scores.</summary>
    public static OracleNormalization Fit(IReadOnlyCollection<OracleScores> raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Count < 2)
        {
            throw new ArgumentException("Oracle normalisation needs at least two reference videos.", nameof(raw));
        }

        double mv = 0, mm = 0, mt = 0;
        foreach (var s in raw)
        {
            mv += s.VQ;
            mm += s.MQ;
            mt += s.TA;
        }

        var n = raw.Count;
        (mv, mm, mt) = (mv / n, mm / n, mt / n);
        double vv = 0, vm = 0, vt = 0;
        foreach (var s in raw)
        {
            vv += (s.VQ - mv) * (s.VQ - mv);
            vm += (s.MQ - mm) * (s.MQ - mm);
            vt += (s.TA - mt) * (s.TA - mt);
        }

        static double Sd(double sumSquares, int count) => Math.Max(Math.Sqrt(sumSquares / count), 1e-9);
        return new OracleNormalization(new OracleScores(mv, mm, mt), new OracleScores(Sd(vv, n), Sd(vm, n), Sd(vt, n)), n);
    }

    /// <summary>The z-scores of raw scores.</summary>
    public OracleScores Normalize(OracleScores raw) => new(
        (raw.VQ - Mean.VQ) / StandardDeviation.VQ,
        (raw.MQ - Mean.MQ) / StandardDeviation.MQ,
        (raw.TA - Mean.TA) / StandardDeviation.TA);
}

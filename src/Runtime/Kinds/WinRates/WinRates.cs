namespace Pipeline.Runtime.Kinds.WinRates;

/// <summary>A win rate with its counts and 95 % interval.</summary>
/// <param name="Rate">(wins + ½ ties) / n.</param>
/// <param name="Lower">Lower end of the 95 % Wilson score interval.</param>
/// <param name="Upper">Upper end of the 95 % Wilson score interval.</param>
/// <param name="Wins">Samples where the method scored higher than the baseline.</param>
/// <param name="Ties">Samples with equal scores.</param>
/// <param name="Losses">Samples where the baseline scored higher.</param>
public sealed record WinRate(double Rate, double Lower, double Upper, int Wins, int Ties, int Losses)
{
    public int N => Wins + Ties + Losses;
}

/// <summary>
/// Win-rate arithmetic. A sample is one (prompt, seed); the method wins it when its score is higher than the
/// baseline's on the same prompt and seed, and a tie counts one half. The 95 % interval is the Wilson score interval
/// (z = 1.959964) for the rate p̂ over n samples:
/// (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
/// With ties scored ½ each sample's outcome has variance at most p̂(1 − p̂), so the interval is, if anything,
/// conservative.
/// </summary>
public static class WinRates
{
    public const double Z95 = 1.959963984540054;

    /// <summary>Compares paired scores (higher is better).</summary>
    public static WinRate Compare(IReadOnlyList<double> method, IReadOnlyList<double> baseline)
    {
        if (method.Count != baseline.Count || method.Count == 0)
        {
            throw new ArgumentException($"win rates need paired, non-empty scores; got {method.Count} and {baseline.Count}");
        }

        int wins = 0, ties = 0, losses = 0;
        for (var i = 0; i < method.Count; i++)
        {
            if (method[i] > baseline[i])
            {
                wins++;
            }
            else if (method[i] < baseline[i])
            {
                losses++;
            }
            else
            {
                ties++;
            }
        }

        var n = method.Count;
        var rate = (wins + (0.5 * ties)) / n;
        var (lower, upper) = Wilson(rate, n);
        return new WinRate(rate, lower, upper, wins, ties, losses);
    }

    /// <summary>The Wilson score interval for a rate <paramref name="p"/> over <paramref name="n"/> samples.</summary>
    public static (double Lower, double Upper) Wilson(double p, int n, double z = Z95)
    {
        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2.0 * n))) / denominator;
        var half = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n))) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// The Overall score per sample: the mean over dimensions of (raw − mean) / standard deviation, with the judge's
    /// normalisation statistics (contracts.md).
    /// </summary>
    public static double[] Overall(double[][] raw, IReadOnlyList<double> mean, IReadOnlyList<double> deviation)
    {
        var n = raw[0].Length;
        var overall = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var d = 0; d < raw.Length; d++)
            {
                sum += (raw[d][i] - mean[d]) / deviation[d];
            }

            overall[i] = sum / raw.Length;
        }

        return overall;
    }
}

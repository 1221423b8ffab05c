namespace Pipeline.Catalog.Statistics;

/// <summary>
/// A value with its 95 % interval, from <see cref="ReplicateStatistics"/>: a mean rate over seeds, or the difference
/// of two.
/// </summary>
/// <param name="Value">The mean rate across seeds, or the difference of two such means.</param>
/// <param name="Lower">Lower end of the 95 % interval (clipped to the possible range: [0, 1] for a rate, [−1, 1] for a difference).</param>
/// <param name="Upper">Upper end of the 95 % interval.</param>
/// <param name="Seeds">The seeds measured (for an unpaired difference, the smaller side).</param>
/// <param name="BetweenSeedSd">The standard deviation of the per-seed values across seeds (N − 1 in the denominator); null for one seed.</param>
/// <param name="WithinSeedSe">The standard error the samples within the seeds alone give the value: √(Σ p(1 − p)/n) / N.</param>
/// <param name="Paired">For a difference: true when both sides were measured on the same seeds and compared seed by seed.</param>
public sealed record Estimate(double Value, double Lower, double Upper, int Seeds, double? BetweenSeedSd, double WithinSeedSe, bool Paired = false)
{
    /// <summary>Whether the interval holds <paramref name="value"/>: for a difference and 0, "within noise".</summary>
    public bool Covers(double value) => Lower <= value && value <= Upper;
}

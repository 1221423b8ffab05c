using System.Globalization;
using Pipeline.Catalog.Statistics;

namespace Pipeline.Catalog.Expectations;

/// <summary>What a run's measurements say about an expectation.</summary>
public enum ExpectationStatus
{
    /// <summary>The whole 95 % interval lies on the expected side.</summary>
    Held,

    /// <summary>The whole 95 % interval lies on the other side.</summary>
    NotHeld,

    /// <summary>The interval crosses the threshold (or, for two metrics, 0): the measurements cannot tell.</summary>
    Inconclusive,
}

/// <summary>An expectation decided: its status and the values compared, each with its 95 % interval.</summary>
/// <param name="Expectation">The expectation.</param>
/// <param name="Status">Held, not held or inconclusive.</param>
/// <param name="Left">The left metric's mean across seeds.</param>
/// <param name="Right">The right metric's mean across seeds; null when the right side is a number.</param>
/// <param name="Difference">Left − right (paired by seed when both were measured on the same seeds); null when the right side is a number, where <paramref name="Left"/>'s interval is compared with it.</param>
public sealed record ExpectationOutcome(Expectation Expectation, ExpectationStatus Status, Estimate Left, Estimate? Right, Estimate? Difference)
{
    /// <summary>results.json's word for the status: <c>held</c>, <c>not held</c> or <c>inconclusive</c>.</summary>
    public string StatusName => ExpectationEvaluator.StatusName(Status);

    /// <summary>One line: <c>held: dpo.win_rate(oracle).TA &gt; 0.5 (0.719 [0.664, 0.774])</c>.</summary>
    public override string ToString()
    {
        var values = Difference is { } difference
            ? $"{Number(Left.Value)} vs {Number(Right!.Value)}, difference {Signed(difference.Value)} [{Signed(difference.Lower)}, {Signed(difference.Upper)}]"
            : $"{Number(Left.Value)} [{Number(Left.Lower)}, {Number(Left.Upper)}]";
        return $"{StatusName}: {Expectation.Expression} ({values})";
    }

    private static string Number(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Signed(double value) => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
}

/// <summary>
/// Decides expectations from per-seed measurements (<see cref="SeedRate"/>, one per seed of a replicate set, or one for
/// a single run). <c>LEFT &gt; c</c> holds when the left metric's whole 95 % interval lies above c, does not hold when it
/// lies below, and is inconclusive when it crosses c; <c>LEFT &gt; RIGHT</c> does the same with the interval of the
/// difference LEFT − RIGHT and 0 (<see cref="ReplicateStatistics.Difference"/>: paired by seed). <c>&lt;</c> mirrors it.
/// </summary>
public static class ExpectationEvaluator
{
    /// <summary>
    /// Decides <paramref name="expectation"/>; <paramref name="measurements"/> gives the per-seed values of a metric.
    /// Throws <see cref="KeyNotFoundException"/> when it has none for a metric the expectation reads (the compiler
    /// checked that a full run measures every one).
    /// </summary>
    public static ExpectationOutcome Evaluate(Expectation expectation, Func<MetricReference, IReadOnlyList<SeedRate>?> measurements)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        ArgumentNullException.ThrowIfNull(measurements);
        var leftSeeds = Measured(expectation.Left, measurements);
        var left = ReplicateStatistics.Mean(leftSeeds);
        if (expectation.Right is null)
        {
            var threshold = expectation.Threshold ?? throw new ArgumentException($"the expectation '{expectation.Expression}' has neither a right metric nor a threshold", nameof(expectation));
            return new ExpectationOutcome(expectation, Decide(left.Lower - threshold, left.Upper - threshold, expectation.Comparison), left, null, null);
        }

        var rightSeeds = Measured(expectation.Right, measurements);
        var difference = ReplicateStatistics.Difference(leftSeeds, rightSeeds);
        return new ExpectationOutcome(expectation, Decide(difference.Lower, difference.Upper, expectation.Comparison), left, ReplicateStatistics.Mean(rightSeeds), difference);
    }

    /// <summary>results.json's word for a status.</summary>
    public static string StatusName(ExpectationStatus status) => status switch
    {
        ExpectationStatus.Held => "held",
        ExpectationStatus.NotHeld => "not held",
        _ => "inconclusive",
    };

    /// <summary>The status from the interval [lower, upper] of LEFT − RIGHT (or LEFT − threshold).</summary>
    private static ExpectationStatus Decide(double lower, double upper, Comparison comparison)
    {
        var (above, below) = (lower > 0, upper < 0);
        return comparison == Comparison.Greater
            ? above ? ExpectationStatus.Held : below ? ExpectationStatus.NotHeld : ExpectationStatus.Inconclusive
            : below ? ExpectationStatus.Held : above ? ExpectationStatus.NotHeld : ExpectationStatus.Inconclusive;
    }

    private static IReadOnlyList<SeedRate> Measured(MetricReference metric, Func<MetricReference, IReadOnlyList<SeedRate>?> measurements) =>
        measurements(metric) is { Count: > 0 } seeds
            ? seeds
            : throw new KeyNotFoundException($"no measurement of {metric} ({metric.ResultPath} in results.json)");
}

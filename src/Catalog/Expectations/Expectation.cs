namespace Pipeline.Catalog.Expectations;

/// <summary>How the two sides of an expectation compare.</summary>
public enum Comparison
{
    /// <summary><c>&gt;</c>: the left side is expected to be larger.</summary>
    Greater,

    /// <summary><c>&lt;</c>: the left side is expected to be smaller.</summary>
    Less,
}

/// <summary>
/// One declared expectation of an experiment, <c>expect LEFT &gt; RIGHT</c> or <c>expect LEFT &lt; RIGHT</c>, where
/// LEFT is a metric and RIGHT a metric or a number. The compiler checks it and writes it into the experiment
/// assembly (<c>ExperimentInfo.Expectations</c>); <see cref="ExpectationEvaluator"/> decides it from measurements.
/// </summary>
/// <param name="Expression">The canonical text without <c>expect</c>: <c>dpo.win_rate(oracle).TA &gt; 0.5</c>.</param>
/// <param name="Left">The metric on the left.</param>
/// <param name="Comparison">The comparison.</param>
/// <param name="Right">The metric on the right; null when the right side is <paramref name="Threshold"/>.</param>
/// <param name="Threshold">The number on the right; null when the right side is a metric.</param>
public sealed record Expectation(string Expression, MetricReference Left, Comparison Comparison, MetricReference? Right, double? Threshold)
{
    /// <summary>The operator as written: <c>&gt;</c> or <c>&lt;</c>.</summary>
    public static string Symbol(Comparison comparison) => comparison == Comparison.Greater ? ">" : "<";

    /// <summary>Every metric the expectation reads.</summary>
    public IEnumerable<MetricReference> Metrics => Right is null ? [Left] : [Left, Right];
}

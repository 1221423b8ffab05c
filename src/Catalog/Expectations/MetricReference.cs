namespace Pipeline.Catalog.Expectations;

/// <summary>
/// A measured quantity an expectation names: <c>STAGE.METRIC(JUDGE).DIMENSION</c>, such as
/// <c>dpo.win_rate(oracle).TA</c>, the win rate of the stage <c>dpo</c> against its win_rates stage's baseline, as the
/// oracle judges it, on TA.
/// </summary>
/// <param name="Stage">A method of a win_rates stage.</param>
/// <param name="Metric">One of <see cref="ExpectationVocabulary.Metrics"/>.</param>
/// <param name="Judge"><c>oracle</c> or the name of a reward stage that judges the method.</param>
/// <param name="Dimension">One of <see cref="ExpectationVocabulary.Dimensions"/>.</param>
public sealed record MetricReference(string Stage, string Metric, string Judge, string Dimension)
{
    /// <summary>Where results.json keeps the value, as a dotted path (the run registry's metric paths are the same): <c>win_rates.JUDGE.STAGE.DIMENSION</c>.</summary>
    public string ResultPath => $"{ExpectationVocabulary.WinRatesSection}.{Judge}.{Stage}.{Dimension}";

    /// <summary>Where results.json keeps the number of samples the value was measured on: <c>win_rates.JUDGE.STAGE.n</c>.</summary>
    public string SampleCountPath => $"{ExpectationVocabulary.WinRatesSection}.{Judge}.{Stage}.{ExpectationVocabulary.SampleCountKey}";

    /// <summary>As written in an experiment file: <c>dpo.win_rate(oracle).TA</c>.</summary>
    public override string ToString() => $"{Stage}.{Metric}({Judge}).{Dimension}";

    /// <summary>
    /// The reference a results path names, the inverse of <see cref="ResultPath"/>: <c>win_rates.oracle.dpo.TA</c>
    /// → <c>dpo.win_rate(oracle).TA</c>; null for a path that is not a win rate on a dimension.
    /// </summary>
    public static MetricReference? FromResultPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('.');
        return parts.Length == 4 && parts[0] == ExpectationVocabulary.WinRatesSection && ExpectationVocabulary.Dimensions.Contains(parts[3])
            ? new MetricReference(parts[2], ExpectationVocabulary.WinRate, parts[1], parts[3])
            : null;
    }
}

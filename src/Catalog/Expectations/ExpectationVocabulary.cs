namespace Pipeline.Catalog.Expectations;

/// <summary>
/// What an expectation can name, for the compiler's checks and the runtime's lookups: the metrics, the judge word for
/// the oracle, and the dimensions. One metric so far, <c>win_rate(JUDGE)</c>: the results.json section it reads carries
/// the sample count an interval needs (<c>n</c>); reward accuracies are left out (docs/language.md says why).
/// </summary>
public static class ExpectationVocabulary
{
    /// <summary>The keyword that starts an expectation.</summary>
    public const string Keyword = "expect";

    /// <summary>The win rate of a method against its win_rates stage's baseline, a tie counting ½.</summary>
    public const string WinRate = "win_rate";

    /// <summary>The judge name of the synthetic world's oracle (results.json's key for it).</summary>
    public const string Oracle = "oracle";

    /// <summary>The per-dimension average of a judge's z-scores (contracts.md).</summary>
    public const string Overall = "Overall";

    /// <summary>The results.json section win rates are written to.</summary>
    public const string WinRatesSection = "win_rates";

    /// <summary>The key of the sample count beside each method's win rates.</summary>
    public const string SampleCountKey = "n";

    public static IReadOnlyList<string> Metrics { get; } = [WinRate];

    /// <summary>The dimensions a win rate is measured on: the judged ones and Overall.</summary>
    public static IReadOnlyList<string> Dimensions { get; } = ["VQ", "MQ", "TA", Overall];
}

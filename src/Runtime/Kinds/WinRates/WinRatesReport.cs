using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Kinds.WinRates;

/// <summary>One win rate of a method against the baseline, under one judge, on one dimension (or Overall).</summary>
public sealed record JudgedWinRate(string Judge, string Method, string Dimension, WinRate Rate);

/// <summary>
/// The Report artifact of <c>win_rates</c>: every rate with its interval, each generator's mean z-scores per judge,
/// and a few sample videos per generator for the report's GIFs.
/// </summary>
public sealed class WinRatesReport
{
    public WinRatesReport(
        string baseline,
        IReadOnlyList<string> methods,
        int n,
        IReadOnlyList<JudgedWinRate> rates,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> meanScores,
        IReadOnlyDictionary<string, IReadOnlyList<PromptedVideo>> samples)
    {
        Baseline = baseline;
        Methods = methods;
        N = n;
        Rates = rates;
        MeanScores = meanScores;
        Samples = samples;
    }

    public string Baseline { get; }

    public IReadOnlyList<string> Methods { get; }

    /// <summary>Samples compared per method: prompts × seeds.</summary>
    public int N { get; }

    public IReadOnlyList<JudgedWinRate> Rates { get; }

    /// <summary>Judge → generator (methods and baseline) → dimension (and Overall) → mean z-score.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> MeanScores { get; }

    /// <summary>Generator → the first sample videos (seed index 0), for GIFs.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PromptedVideo>> Samples { get; }
}

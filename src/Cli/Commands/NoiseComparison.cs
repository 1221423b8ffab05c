using Pipeline.Catalog.Expectations;
using Pipeline.Catalog.Statistics;
using Pipeline.Cli.Registry;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Cli.Commands;

/// <summary>One win rate of <c>pipeline compare</c>: each side's mean with its interval, and their difference with its interval.</summary>
internal sealed record WinRateDifference(MetricReference Metric, Estimate Old, Estimate New, Estimate Difference)
{
    /// <summary>The difference's 95 % interval covers 0: the two sides cannot be told apart.</summary>
    public bool WithinNoise => Difference.Covers(0);
}

/// <summary>
/// The win rates two sides of <c>pipeline compare</c> share, with the noise each one carries. A side is one recorded
/// run or a replicate set, several runs of one experiment on different seeds. One run gives each win rate's
/// within-run binomial interval (n is in results.json); several give the two-level interval over their seeds, and
/// sides measured on the same seeds are compared seed by seed (<see cref="ReplicateStatistics"/>, docs/statistics.md).
/// </summary>
internal static class NoiseComparison
{
    /// <summary>Every win rate (with its n) that each run of both sides recorded, ordered by metric.</summary>
    public static IReadOnlyList<WinRateDifference> Compare(IReadOnlyList<RunRecord> before, IReadOnlyList<RunRecord> after)
    {
        var oldSeeds = Seeds(before);
        var newSeeds = Seeds(after);
        return before.Concat(after)
            .SelectMany(r => r.Metrics.Keys)
            .Distinct(StringComparer.Ordinal)
            .Select(MetricReference.FromResultPath)
            .OfType<MetricReference>()
            .Where(m => Measured(before, m) && Measured(after, m))
            .OrderBy(m => m.Stage, StringComparer.Ordinal)
            .ThenBy(m => m.Judge, StringComparer.Ordinal)
            .ThenBy(m => Array.IndexOf(ExpectationVocabulary.Dimensions.ToArray(), m.Dimension))
            .Select(m =>
            {
                var old = Rates(before, oldSeeds, m);
                var @new = Rates(after, newSeeds, m);
                return new WinRateDifference(m, ReplicateStatistics.Mean(old), ReplicateStatistics.Mean(@new), ReplicateStatistics.Difference(@new, old));
            })
            .ToArray();
    }

    /// <summary>Whether a metric path is a win rate or its sample count, which the noise section shows instead of the plain metrics.</summary>
    public static bool IsWinRatePath(string path) =>
        MetricReference.FromResultPath(path) is not null
        || (path.StartsWith(ExpectationVocabulary.WinRatesSection + ".", StringComparison.Ordinal) && path.EndsWith("." + ExpectationVocabulary.SampleCountKey, StringComparison.Ordinal));

    /// <summary>The experiment seed a run used, from its canonical source (0, the catalogue default, when it sets none).</summary>
    public static long SeedOf(RunRecord run)
    {
        var tree = SyntaxTree.Parse(new SourceText($"run {run.Id}", run.CanonicalSource));
        return tree.Root.Experiment.Members.OfType<PropertySyntax>().FirstOrDefault(p => p.Name.Name == "seed")?.Value is IntegerLiteralSyntax seed ? seed.Value : 0;
    }

    /// <summary>Each run's seed; a set may hold one run per seed.</summary>
    private static long[] Seeds(IReadOnlyList<RunRecord> runs)
    {
        var seeds = runs.Select(SeedOf).ToArray();
        var repeated = runs.Zip(seeds).GroupBy(p => p.Second).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new UsageException($"runs {string.Join(" and ", repeated.Select(p => p.First.Id))} both used seed {repeated.Key}; a replicate set holds one run per seed.");
        }

        return seeds;
    }

    private static bool Measured(IReadOnlyList<RunRecord> runs, MetricReference metric) =>
        runs.All(r => r.Metrics.ContainsKey(metric.ResultPath) && r.Metrics.TryGetValue(metric.SampleCountPath, out var n) && n >= 1);

    private static SeedRate[] Rates(IReadOnlyList<RunRecord> runs, long[] seeds, MetricReference metric) =>
        runs.Select((r, i) => new SeedRate(seeds[i], r.Metrics[metric.ResultPath], (int)r.Metrics[metric.SampleCountPath])).ToArray();
}

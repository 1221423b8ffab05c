using System.CommandLine;
using System.Globalization;
using Pipeline.Cli.Registry;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Text;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline compare OLD NEW</c>: the semantic diff of the two sides' experiments (their canonical sources, as the
/// registry stored them; the same diff as <c>pipeline diff</c>), then each win rate's difference with its 95 %
/// interval, "within noise" where the interval covers 0 (<see cref="NoiseComparison"/>), then the other final metrics.
/// A side is a run id, or several comma-separated ids: a replicate set, one run per seed.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("old") { Description = "A run id (pipeline runs lists them), or comma-separated ids of runs on different seeds: 3,4,5." };
        var second = new Argument<string>("new") { Description = "Another run id, or comma-separated ids." };
        var command = new Command("compare", "Show how two recorded runs (or sets of runs on several seeds) differ: their experiments, their win rates beside the noise, their metrics.");
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        command.SetAction(parsed => Run(parsed.GetValue(first)!, parsed.GetValue(second)!, Console.Out));
        return command;
    }

    public static int Run(string oldIds, string newIds, TextWriter output)
    {
        var oldSide = Ids(oldIds);
        var newSide = Ids(newIds);
        using var registry = RunRegistry.OpenDefault();
        var before = oldSide.Select(id => registry.Find(id) ?? throw UnknownRun(id, registry)).ToArray();
        var after = newSide.Select(id => registry.Find(id) ?? throw UnknownRun(id, registry)).ToArray();

        WriteSide(output, "old", before);
        WriteSide(output, "new", after);
        output.WriteLine();
        output.WriteLine(before.Length == 1 && after.Length == 1 ? "experiment:" : $"experiment (run {before[0].Id} against run {after[0].Id}):");
        var changes = SemanticDiff.Compare(Parse(before[0]), Parse(after[0]));
        foreach (var line in SemanticDiff.FormatText(changes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            output.WriteLine("  " + line);
        }

        var changedStages = before[0].Stages.Join(after[0].Stages, s => s.Name, s => s.Name, (o, n) => (o.Name, Changed: o.Hash != n.Hash)).Where(p => p.Changed).Select(p => p.Name)
            .Concat(after[0].Stages.Select(s => s.Name).Except(before[0].Stages.Select(s => s.Name))).Order(StringComparer.Ordinal).ToArray();
        output.WriteLine(changedStages.Length == 0 ? "  stages with another hash: none" : $"  stages with another hash: {string.Join(", ", changedStages)}");

        WriteWinRates(output, NoiseComparison.Compare(before, after), before.Length, after.Length);
        WriteMetrics(output, Means(before), Means(after));
        return CommandHost.Success;
    }

    private static void WriteSide(TextWriter output, string side, IReadOnlyList<RunRecord> runs)
    {
        if (runs.Count == 1)
        {
            output.WriteLine($"run {runs[0].Id}: {Describe(runs[0])}");
            return;
        }

        output.WriteLine($"{side}: {runs.Count} runs");
        foreach (var run in runs)
        {
            output.WriteLine($"  run {run.Id}, seed {NoiseComparison.SeedOf(run)}: {Describe(run)}");
        }
    }

    private static string Describe(RunRecord run) => $"{run.Experiment} ({RunRegistry.Name(run.Status)}, {run.File}{Overrides(run)})";

    private static void WriteWinRates(TextWriter output, IReadOnlyList<WinRateDifference> rows, int oldRuns, int newRuns)
    {
        if (rows.Count == 0)
        {
            return;
        }

        output.WriteLine();
        var method = oldRuns == 1 && newRuns == 1
            ? "one run a side: each rate's binomial interval within the run"
            : rows[0].Difference.Paired ? "the seeds' spread and the samples within each seed, paired by seed" : "the seeds' spread and the samples within each seed, sides on different seeds";
        output.WriteLine($"win rates (old → new, new − old with its 95 % interval from {method}; docs/statistics.md):");
        var width = rows.Max(r => r.Metric.ToString().Length);
        foreach (var row in rows)
        {
            var d = row.Difference;
            var verdict = row.WithinNoise ? "within noise" : d.Value > 0 ? "new is higher" : "new is lower";
            output.WriteLine($"  {row.Metric.ToString().PadRight(width)}  {Rate(row.Old.Value)} → {Rate(row.New.Value)}  {Signed(d.Value)} [{Signed(d.Lower)}, {Signed(d.Upper)}]  {verdict}");
        }

        var outside = rows.Count(r => !r.WithinNoise);
        output.WriteLine(outside == 0 ? $"  all {rows.Count} win rates within noise" : $"  {outside} of {rows.Count} win rates differ beyond noise");
    }

    /// <summary>Every other metric, each side's mean over its runs (of the runs that recorded it), as before: the difference only.</summary>
    private static void WriteMetrics(TextWriter output, IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after)
    {
        output.WriteLine();
        output.WriteLine("metrics:");
        var paths = before.Keys.Union(after.Keys).Where(p => !NoiseComparison.IsWinRatePath(p)).Order(StringComparer.Ordinal).ToArray();
        var width = Math.Max(6, paths.Select(p => p.Length).DefaultIfEmpty(0).Max());
        var differing = 0;
        foreach (var path in paths)
        {
            var hasOld = before.TryGetValue(path, out var oldValue);
            var hasNew = after.TryGetValue(path, out var newValue);
            if (hasOld && hasNew && oldValue.Equals(newValue))
            {
                continue;
            }

            differing++;
            var delta = hasOld && hasNew ? (newValue - oldValue >= 0 ? "+" : string.Empty) + RunsCommand.Number(newValue - oldValue) : string.Empty;
            output.WriteLine($"  {path.PadRight(width)}  {(hasOld ? RunsCommand.Number(oldValue) : "(none)"),12} → {(hasNew ? RunsCommand.Number(newValue) : "(none)"),-12}  {delta}");
        }

        output.WriteLine(differing == 0
            ? $"  all {paths.Length} metrics are equal"
            : $"  {differing} of {paths.Length} metrics differ");
    }

    private static Dictionary<string, double> Means(IReadOnlyList<RunRecord> runs) =>
        runs.SelectMany(r => r.Metrics).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Average(p => p.Value), StringComparer.Ordinal);

    private static long[] Ids(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var ids = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
            {
                throw new UsageException($"'{text}' is not a run id or a comma-separated list of run ids (such as 3 or 3,4,5); pipeline runs lists them.");
            }
        }

        if (ids.Distinct().Count() != ids.Length)
        {
            throw new UsageException($"'{text}' names a run twice; a set holds each run once.");
        }

        return ids;
    }

    private static string Rate(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Signed(double value) => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);

    private static string Overrides(RunRecord run) => run.Overrides.Count == 0 ? string.Empty : ", --set " + string.Join(" --set ", run.Overrides);

    private static Dsl.Syntax.ExperimentSyntax Parse(RunRecord run)
    {
        // The stored source is canonical and already composed (no extends left), so nothing is read from disk.
        var tree = SyntaxTree.Parse(new SourceText($"run {run.Id}", run.CanonicalSource));
        return Composition.Resolve(tree, _ => null).Experiment;
    }

    internal static PipelineException UnknownRun(long id, RunRegistry registry)
    {
        var newest = registry.List(1);
        var hint = newest.Count == 0 ? "no runs are recorded yet" : $"the newest is run {newest[0].Id}; pipeline runs lists them";
        return new PipelineException(RuntimeDiagnosticCodes.UnknownRun, $"there is no run {id} in the registry ({hint}).");
    }
}

using System.CommandLine;
using System.Globalization;
using Pipeline.Cli.Registry;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Text;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline runs [--limit N]</c>: the run registry (docs/runs.md), newest first: id, experiment, status, start,
/// duration and a few key metrics (for a failed or interrupted run, why it ended).
/// </summary>
internal static class RunsCommand
{
    /// <summary>How many metrics the list shows per run, chosen by <see cref="KeyMetrics"/>.</summary>
    private const int KeyMetricCount = 3;

    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "Show at most this many runs (newest first).", DefaultValueFactory = _ => 50 };
        var command = new Command("runs", "List the recorded runs ($PIPELINE_CACHE/registry.db), newest first.");
        command.Options.Add(limit);
        command.SetAction(parsed => List(parsed.GetValue(limit), Console.Out));
        return command;
    }

    public static int List(int limit, TextWriter output)
    {
        if (limit < 1)
        {
            throw new UsageException("--limit takes a number of runs, 1 or more.");
        }

        using var registry = RunRegistry.OpenDefault();
        registry.MarkAbandoned(DateTime.UtcNow);
        var runs = registry.List(limit);
        if (runs.Count == 0)
        {
            output.WriteLine($"no runs recorded yet ({registry.Path})");
            return CommandHost.Success;
        }

        output.WriteLine($"{"id",5}  {"experiment",-16}  {"status",-11}  {"start (UTC)",-19}  {"duration",9}  metrics");
        foreach (var run in runs)
        {
            var duration = run.EndedUtc is { } ended ? Duration(ended - run.StartedUtc) : "-";
            var metrics = run.Status is RunStatus.Failed or RunStatus.Interrupted && run.Error is { } error
                ? Shorten(error, 80)
                : string.Join(", ", KeyMetrics(run.Metrics).Select(p => $"{p.Key} {Number(p.Value)}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Id,5}  {run.Experiment,-16}  {RunRegistry.Name(run.Status),-11}  {run.StartedUtc:yyyy-MM-dd HH:mm:ss}  {duration,9}  {metrics}"));
        }

        output.WriteLine($"{runs.Count} runs in {registry.Path}");
        return CommandHost.Success;
    }

    /// <summary>
    /// The metrics a list line has room for: win rates on Overall first, then reward accuracies on Overall, then
    /// each stage's final loss — what a researcher scans for; the full set is in <c>pipeline compare</c>.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, double>> KeyMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        static int Rank(string path) =>
            path.StartsWith("win_rates.", StringComparison.Ordinal) && path.EndsWith(".Overall", StringComparison.Ordinal) ? 0
            : path.StartsWith("reward_accuracy.", StringComparison.Ordinal) && path.EndsWith(".Overall.without_ties", StringComparison.Ordinal) ? 1
            : path.EndsWith(".loss_end", StringComparison.Ordinal) ? 2
            : 3;

        return metrics.Where(p => Rank(p.Key) < 3).OrderBy(p => Rank(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal).Take(KeyMetricCount);
    }

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }

    public static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) => span.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s")
        : span.TotalMinutes < 60
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.0} h");
}

/// <summary>
/// <c>pipeline compare RUN RUN</c>: the semantic diff of the two runs' experiments (their canonical sources, as the
/// registry stored them; the same diff as <c>pipeline diff</c>), beside the difference of their final metrics.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var first = new Argument<long>("old") { Description = "The id of a run (pipeline runs lists them)." };
        var second = new Argument<long>("new") { Description = "The id of another run." };
        var command = new Command("compare", "Show how two recorded runs differ: their experiments (semantic diff) and their metrics.");
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        command.SetAction(parsed => Run(parsed.GetValue(first), parsed.GetValue(second), Console.Out));
        return command;
    }

    public static int Run(long oldId, long newId, TextWriter output)
    {
        using var registry = RunRegistry.OpenDefault();
        var before = registry.Find(oldId) ?? throw UnknownRun(oldId, registry);
        var after = registry.Find(newId) ?? throw UnknownRun(newId, registry);

        output.WriteLine($"run {before.Id}: {before.Experiment} ({RunRegistry.Name(before.Status)}, {before.File}{Overrides(before)})");
        output.WriteLine($"run {after.Id}: {after.Experiment} ({RunRegistry.Name(after.Status)}, {after.File}{Overrides(after)})");
        output.WriteLine();
        output.WriteLine("experiment:");
        var changes = SemanticDiff.Compare(Parse(before), Parse(after));
        var text = SemanticDiff.FormatText(changes);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            output.WriteLine("  " + line);
        }

        var changedStages = before.Stages.Join(after.Stages, s => s.Name, s => s.Name, (o, n) => (o.Name, Changed: o.Hash != n.Hash)).Where(p => p.Changed).Select(p => p.Name)
            .Concat(after.Stages.Select(s => s.Name).Except(before.Stages.Select(s => s.Name))).Order(StringComparer.Ordinal).ToArray();
        output.WriteLine(changedStages.Length == 0 ? "  stages with another hash: none" : $"  stages with another hash: {string.Join(", ", changedStages)}");
        output.WriteLine();
        output.WriteLine("metrics:");
        var paths = before.Metrics.Keys.Union(after.Metrics.Keys).Order(StringComparer.Ordinal).ToArray();
        var width = Math.Max(6, paths.Select(p => p.Length).DefaultIfEmpty(0).Max());
        var differing = 0;
        foreach (var path in paths)
        {
            var hasOld = before.Metrics.TryGetValue(path, out var oldValue);
            var hasNew = after.Metrics.TryGetValue(path, out var newValue);
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
        return CommandHost.Success;
    }

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

using System.CommandLine;
using System.Globalization;
using Pipeline.Cli.Registry;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline runs [--limit N]</c>: the run registry (docs/runs.md), newest first: id, experiment, status, start,
/// duration, the swept values of a sweep point (when any listed run is one) and a few key metrics (for a failed or
/// interrupted run, why it ended).
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

        // The sweep column only when a listed run is a sweep point: the points of one sweep differ in nothing else.
        var points = runs.Select(r => r.Sweep is { } sweep ? $"{sweep.Point}: {string.Join(", ", sweep.Values.Select(v => $"{v.Path}={v.Value}"))}" : "-").ToArray();
        var pointWidth = runs.Any(r => r.Sweep is not null) ? Math.Max("sweep point".Length, points.Max(p => p.Length)) : 0;
        string PointCell(string text) => pointWidth == 0 ? string.Empty : text.PadRight(pointWidth) + "  ";
        output.WriteLine($"{"id",5}  {"experiment",-16}  {"status",-11}  {"start (UTC)",-19}  {"duration",9}  {PointCell("sweep point")}metrics");
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var duration = run.EndedUtc is { } ended ? Duration(ended - run.StartedUtc) : "-";
            var metrics = run.Status is RunStatus.Failed or RunStatus.Interrupted && run.Error is { } error
                ? Shorten(error, 80)
                : string.Join(", ", KeyMetrics(run.Metrics).Select(p => $"{p.Key} {Number(p.Value)}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Id,5}  {run.Experiment,-16}  {RunRegistry.Name(run.Status),-11}  {run.StartedUtc:yyyy-MM-dd HH:mm:ss}  {duration,9}  {PointCell(points[i])}{metrics}"));
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

using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>One point of a sweep: its number, its run folder (which holds its <c>results.json</c>), and the value of each swept path as the language writes it.</summary>
public sealed record SweepPoint(int Index, string Folder, IReadOnlyList<(string Path, string Value)> Values);

/// <summary>One numeric metric of a run: its group (a stage, or a results section such as <c>win_rates</c>), its name inside the group, and its value (null when results.json has null: a diverged number).</summary>
public sealed record SweepMetric(string Group, string Name, double? Value)
{
    /// <summary><c>GROUP.NAME</c>, e.g. <c>gen.loss_end</c> or <c>win_rates.oracle.dpo.VQ</c>.</summary>
    public string Id => Group + "." + Name;
}

/// <summary>
/// Writes a sweep's own report into the sweep's folder, after its points have run into <c>point-N/</c>: <c>sweep.md</c>
/// with, per stage and per results section, a table with one row per point (the swept values, then each numeric
/// metric of that point's <c>results.json</c>), and under it, for each metric that differs between points, a PNG per
/// swept path it changes with, on that path's own axis; and <c>sweep.json</c> with the same numbers. Metrics come from each point's
/// <c>results.json</c>, not from memory, so the report is exactly what the points wrote. Files appear atomically.
/// </summary>
public static class SweepReportWriter
{
    public const string FileName = "sweep.md";
    public const string JsonFileName = "sweep.json";

    /// <summary>Writes <c>DIR/sweep.md</c>, <c>DIR/sweep.json</c> and <c>DIR/plots/sweep_*.png</c>, and returns the path of <c>sweep.md</c>.</summary>
    public static string Write(string sweepDirectory, IReadOnlyList<SweepPoint> points)
    {
        if (points.Count == 0)
        {
            throw new ArgumentException("a sweep has at least one point", nameof(points));
        }

        sweepDirectory = Path.GetFullPath(sweepDirectory);
        var runs = points.Select(p => ReadRun(Path.Combine(p.Folder, ResultsWriter.FileName))).ToArray();
        var axes = points[0].Values.Select(v => v.Path).ToArray();
        var experiment = runs.Select(r => r.Experiment).FirstOrDefault(e => e is not null) ?? "sweep";

        // Every metric any point has, in the order the points' results.json list them (stages first, then sections).
        var metrics = runs.SelectMany(r => r.Metrics).Select(m => (m.Group, m.Name)).Distinct().ToArray();
        var values = runs.Select(r => r.Metrics.ToDictionary(m => m.Id, m => m.Value, StringComparer.Ordinal)).ToArray();
        var xAxes = axes.Select((_, a) => XAxis(points, a)).ToArray();
        var plots = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.Ordinal);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Sweep: {experiment}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{points.Count} points over {string.Join(" × ", axes.Select(a => $"`{a}`"))}, each a run of its own in `point-N/` (its `results.json` and `report.md`); stages a point shares with an earlier one come from the stage cache. The numbers are those of each point's `results.json`; every metric that differs between points is plotted against each swept path it changes with when the other paths are held, on that path's own axis{Logarithmic(axes, xAxes)}{(axes.Length > 1 ? ", one line per combination of the other paths it changes with" : string.Empty)}.");
        text.AppendLine();
        text.AppendLine("## Points");
        text.AppendLine();
        text.AppendLine("| point | " + string.Join(" | ", axes) + " | stages run | stages cached |");
        text.AppendLine("| --- |" + string.Concat(axes.Select(_ => " ---: |")) + " --- | --- |");
        for (var i = 0; i < points.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {PointLink(sweepDirectory, points[i])} | {SweptCells(points[i])} | {string.Join(", ", runs[i].Ran)} | {string.Join(", ", runs[i].Cached)} |");
        }

        text.AppendLine();
        foreach (var group in metrics.Select(m => m.Group).Distinct())
        {
            var names = metrics.Where(m => m.Group == group).Select(m => m.Name).ToArray();
            var kind = runs.Select(r => r.Kinds.GetValueOrDefault(group)).FirstOrDefault(k => k is not null);
            text.AppendLine(kind is null ? $"## {group}" : $"## {group} ({kind})");
            text.AppendLine();
            text.AppendLine("| point | " + string.Join(" | ", axes.Concat(names)) + " |");
            text.AppendLine("| --- |" + string.Concat(axes.Concat(names).Select(_ => " ---: |")));
            for (var i = 0; i < points.Count; i++)
            {
                var cells = names.Select(n => values[i].TryGetValue(group + "." + n, out var v) ? Format(v) : string.Empty);
                text.AppendLine(CultureInfo.InvariantCulture, $"| {PointLink(sweepDirectory, points[i])} | {SweptCells(points[i])} | {string.Join(" | ", cells)} |");
            }

            text.AppendLine();
            foreach (var name in names)
            {
                var id = group + "." + name;
                var observed = values.Select(v => v.GetValueOrDefault(id)).ToArray();
                if (observed.Where(v => v is not null).Distinct().Count() < 2)
                {
                    continue;
                }

                var against = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                var changing = Enumerable.Range(0, axes.Length).Where(a => ChangesWith(points, observed, a)).ToArray();
                foreach (var a in changing.Length > 0 ? changing : Enumerable.Range(0, axes.Length).ToArray())
                {
                    var file = axes.Length == 1 ? $"plots/sweep_{ReportWriter.Slug(id)}.png" : $"plots/sweep_{ReportWriter.Slug(id)}_vs_{ReportWriter.Slug(axes[a])}.png";
                    var stem = file[..^4];
                    for (var n = 2; !files.Add(file); n++)
                    {
                        // Two ids that differ only in punctuation (a.b_c, a_b.c) share a slug.
                        file = string.Create(CultureInfo.InvariantCulture, $"{stem}_{n}.png");
                    }

                    // One line per combination of the other paths the metric changes with; points that differ only
                    // in paths it does not change with are the same point of the plot.
                    var others = changing.Where(b => b != a).ToArray();
                    var axis = xAxes[a];
                    var series = points.Select((p, i) => (Label: SeriesLabel(p, others), X: axis.Positions[i], Y: observed[i]))
                        .Where(p => p.Y is not null)
                        .GroupBy(p => p.Label, StringComparer.Ordinal)
                        .Select(g => g.DistinctBy(p => p.X).ToArray())
                        .Select(g => new Plots.SweepSeries(g[0].Label.Length == 0 ? id : g[0].Label, g.Select(p => p.X).ToArray(), g.Select(p => p.Y!.Value).ToArray()))
                        .ToArray();
                    Plots.MetricAgainstSweep(Path.Combine(sweepDirectory, file), $"{experiment}: {id}", axis.Logarithmic ? $"{axes[a]} (log scale)" : axes[a], id, series, axis.Ticks);
                    against[axes[a]] = file;
                    text.AppendLine(CultureInfo.InvariantCulture, $"![{id} against {axes[a]}]({file})");
                    text.AppendLine();
                }

                plots[id] = against;
            }
        }

        if (metrics.Length == 0)
        {
            text.AppendLine("No point's `results.json` has a numeric metric.");
            text.AppendLine();
        }

        DurableFile.WriteAllText(Path.Combine(sweepDirectory, JsonFileName), ToJson(sweepDirectory, experiment, axes, points, values, plots));
        var path = Path.Combine(sweepDirectory, FileName);
        DurableFile.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// The numeric metrics of one <c>results.json</c>: each stage's metrics as <c>STAGE.METRIC</c> (nested keys joined
    /// with dots), and every leaf of every results section (<c>reward_accuracy</c>, <c>oracle_accuracy</c>,
    /// <c>win_rates</c>, …) as <c>SECTION.KEY.…</c>. Arrays (loss curves), strings, booleans and the stages' timings are
    /// not metrics. A missing file has none.
    /// </summary>
    public static IReadOnlyList<SweepMetric> ReadMetrics(string resultsPath) => ReadRun(resultsPath).Metrics;

    private sealed record Run(string? Experiment, IReadOnlyList<SweepMetric> Metrics, IReadOnlyDictionary<string, string> Kinds, IReadOnlyList<string> Ran, IReadOnlyList<string> Cached);

    private static Run ReadRun(string resultsPath)
    {
        var metrics = new List<SweepMetric>();
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        var ran = new List<string>();
        var cached = new List<string>();
        if (!File.Exists(resultsPath))
        {
            return new Run(null, metrics, kinds, ran, cached);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(resultsPath));
        var root = document.RootElement;
        string? experiment = root.TryGetProperty("experiment", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        if (root.TryGetProperty("stages", out var stages) && stages.ValueKind == JsonValueKind.Object)
        {
            foreach (var stage in stages.EnumerateObject())
            {
                if (stage.Value.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String)
                {
                    kinds[stage.Name] = kind.GetString()!;
                }

                (stage.Value.TryGetProperty("cached", out var c) && c.ValueKind == JsonValueKind.True ? cached : ran).Add(stage.Name);
                if (stage.Value.TryGetProperty("metrics", out var stageMetrics))
                {
                    Flatten(stage.Name, string.Empty, stageMetrics, metrics);
                }
            }
        }

        foreach (var section in root.EnumerateObject().Where(p => p.Name != "stages" && p.Value.ValueKind == JsonValueKind.Object))
        {
            Flatten(section.Name, string.Empty, section.Value, metrics);
        }

        return new Run(experiment, metrics, kinds, ran, cached);
    }

    private static void Flatten(string group, string prefix, JsonElement element, List<SweepMetric> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(group, prefix.Length == 0 ? property.Name : prefix + "." + property.Name, property.Value, into);
                }

                break;
            case JsonValueKind.Number when prefix.Length > 0:
                into.Add(new SweepMetric(group, prefix, element.GetDouble()));
                break;
            case JsonValueKind.Null when prefix.Length > 0:
                into.Add(new SweepMetric(group, prefix, null));
                break;
        }
    }

    /// <summary>
    /// Whether a metric changes with swept path <paramref name="axis"/>: two points that differ in that path alone
    /// (every other path held) have different values.
    /// </summary>
    private static bool ChangesWith(IReadOnlyList<SweepPoint> points, IReadOnlyList<double?> observed, int axis) =>
        points.Select((p, i) => (Held: string.Join("\n", p.Values.Where((_, a) => a != axis).Select(v => v.Value)), Value: observed[i]))
            .Where(p => p.Value is not null)
            .GroupBy(p => p.Held, StringComparer.Ordinal)
            .Any(g => g.Select(p => p.Value).Distinct().Count() > 1);

    /// <summary>
    /// Where each point lies on the x axis of swept path <paramref name="axis"/>: its value when every point's is a
    /// number (its logarithm when they are all positive and span a factor of 20 or more, as learning rates and betas
    /// do), else the rank of the value among the distinct values; ticks at the values, labelled as written.
    /// </summary>
    private static (double[] Positions, (double Position, string Label)[] Ticks, bool Logarithmic) XAxis(IReadOnlyList<SweepPoint> points, int axis)
    {
        var labels = points.Select(p => p.Values.Count > axis ? p.Values[axis].Value : string.Empty).ToArray();
        var numbers = labels.Select(Number).ToArray();
        double[] positions;
        var logarithmic = false;
        if (numbers.All(n => n is not null))
        {
            var xs = numbers.Select(n => n!.Value).ToArray();
            logarithmic = xs.All(x => x > 0) && xs.Max() / xs.Min() >= 20;
            positions = logarithmic ? xs.Select(Math.Log10).ToArray() : xs;
        }
        else
        {
            var distinct = labels.Distinct(StringComparer.Ordinal).ToList();
            positions = labels.Select(l => (double)distinct.IndexOf(l)).ToArray();
        }

        var ticks = positions.Zip(labels).DistinctBy(t => t.First).Select(t => (t.First, t.Second)).ToArray();
        return (positions, ticks, logarithmic);
    }

    /// <summary>" (logarithmic for `a`, `b`)" for the paths whose axis is logarithmic; empty when none is.</summary>
    private static string Logarithmic(IReadOnlyList<string> axes, IReadOnlyList<(double[] Positions, (double Position, string Label)[] Ticks, bool Logarithmic)> xAxes)
    {
        var logarithmic = axes.Where((_, a) => xAxes[a].Logarithmic).Select(a => $"`{a}`").ToArray();
        return logarithmic.Length == 0 ? string.Empty : $" (logarithmic for {string.Join(", ", logarithmic)})";
    }

    private static double? Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;

    /// <summary>The values of the swept paths <paramref name="axes"/>, which tell a plot's series apart; empty for none.</summary>
    private static string SeriesLabel(SweepPoint point, IReadOnlyList<int> axes) => string.Join(", ", axes.Select(a => $"{point.Values[a].Path} = {point.Values[a].Value}"));

    private static string SweptCells(SweepPoint point) => string.Join(" | ", point.Values.Select(v => v.Value.Replace("|", "\\|", StringComparison.Ordinal)));

    private static string PointLink(string sweepDirectory, SweepPoint point)
    {
        var folder = Path.GetRelativePath(sweepDirectory, Path.GetFullPath(point.Folder)).Replace('\\', '/');
        return string.Create(CultureInfo.InvariantCulture, $"[{point.Index}]({folder}/{ReportWriter.FileName})");
    }

    private static string Format(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "null";

    private static string ToJson(string sweepDirectory, string experiment, IReadOnlyList<string> axes, IReadOnlyList<SweepPoint> points, IReadOnlyList<Dictionary<string, double?>> values, IReadOnlyDictionary<string, object?> plots)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", experiment);
            json.WriteStartArray("axes");
            foreach (var axis in axes)
            {
                json.WriteStringValue(axis);
            }

            json.WriteEndArray();
            json.WriteStartArray("points");
            for (var i = 0; i < points.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("point", points[i].Index);
                json.WriteString("folder", Path.GetRelativePath(sweepDirectory, Path.GetFullPath(points[i].Folder)).Replace('\\', '/'));
                json.WriteStartObject("values");
                foreach (var (path, value) in points[i].Values)
                {
                    if (Number(value) is { } number)
                    {
                        json.WriteNumber(path, number);
                    }
                    else
                    {
                        json.WriteString(path, value);
                    }
                }

                json.WriteEndObject();
                json.WritePropertyName("metrics");
                MetricJson.Write(json, values[i]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WritePropertyName("plots");
            MetricJson.Write(json, plots);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

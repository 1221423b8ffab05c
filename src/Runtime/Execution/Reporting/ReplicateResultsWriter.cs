using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Catalog.Expectations;
using Pipeline.Catalog.Statistics;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>One seed of a replicate set: its experiment seed and the folder (inside the set's folder) of its run.</summary>
public sealed record ReplicateRun(long Seed, string Folder);

/// <summary>
/// A replicate set as it is written: the experiment's name, the seed it starts from, the device and the runtime
/// version (those of its first run), the source hash of the file as run (with <c>replicates = N</c>), its runs in seed
/// order and the declared expectations.
/// </summary>
internal sealed record ReplicateSet(string Experiment, string SourceSha256, long Seed, string Device, string RuntimeVersion, IReadOnlyList<ReplicateRun> Runs, IReadOnlyList<Expectation> Expectations);

/// <summary>
/// Writes a replicate set's <c>results.json</c> and <c>report.md</c> from the results.json of each of its seeds
/// (<c>seed-S/results.json</c>, each a complete run): every seed's results sections under <c>per_seed</c>, and under
/// <c>aggregate.win_rates</c> the mean of each method's win rate per judge and dimension across the seeds, its
/// between-seed standard deviation and its 95 % interval (<see cref="ReplicateStatistics.Mean"/>,
/// docs/statistics.md), then the expectations decided on all seeds. report.md shows the aggregate as a table and a
/// forest plot per judge.
/// </summary>
public static class ReplicateResultsWriter
{
    /// <summary>The keys of a run's results.json that describe the run, not its results; per_seed leaves them out (the seed aside).</summary>
    private static readonly string[] RunKeys = ["experiment", "source_sha256", "seed", "device", "runtime_version", "stages", ExpectationResults.Section];

    /// <summary>
    /// Writes <c>DIR/results.json</c> and <c>DIR/report.md</c> from the runs (each folder relative to DIR, holding its
    /// results.json); returns both paths and the expectations decided on all seeds.
    /// </summary>
    /// <param name="outputDirectory">The set's folder.</param>
    /// <param name="sourceSha256">The source hash of the experiment as run, with its <c>replicates</c>.</param>
    /// <param name="expectations">The declared expectations.</param>
    /// <param name="runs">The seeds' runs, in seed order.</param>
    public static (string Results, string Report, DecidedExpectations Expectations) Write(string outputDirectory, string sourceSha256, IReadOnlyList<Expectation> expectations, IReadOnlyList<ReplicateRun> runs)
    {
        var documents = runs.Select(r => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outputDirectory, r.Folder, ResultsWriter.FileName)))).ToArray();
        try
        {
            var first = documents[0].RootElement;
            var set = new ReplicateSet(first.GetProperty("experiment").GetString()!, sourceSha256, runs[0].Seed, first.GetProperty("device").GetString()!, first.GetProperty("runtime_version").GetString()!, runs, expectations);
            var tables = documents.Select(d => WinRateTable.FromResults(d.RootElement)).ToArray();
            var aggregate = Aggregate(tables);
            var decided = ExpectationResults.Decide(set.Expectations, tables);
            var results = Path.Combine(outputDirectory, ResultsWriter.FileName);
            DurableFile.WriteAllText(results, ToJson(set, documents, aggregate, decided));
            var report = WriteReport(outputDirectory, set, aggregate, decided);
            return (results, report, decided);
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>Each win rate every seed measured, with its estimate across the seeds and each seed's n.</summary>
    public static IReadOnlyList<(MetricReference Metric, Estimate Estimate, IReadOnlyList<SeedRate> Seeds)> Aggregate(IReadOnlyList<WinRateTable> runs) =>
        runs.Count == 0
            ? []
            : runs[0].Metrics
                .Select(m => (Metric: m, Seeds: WinRateTable.Across(runs, m)))
                .Where(p => p.Seeds is not null)
                .Select(p => (p.Metric, ReplicateStatistics.Mean(p.Seeds!), p.Seeds!))
                .ToArray();

    private static string ToJson(ReplicateSet set, IReadOnlyList<JsonDocument> documents, IReadOnlyList<(MetricReference Metric, Estimate Estimate, IReadOnlyList<SeedRate> Seeds)> aggregate, DecidedExpectations expectations)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", set.Experiment);
            json.WriteString("source_sha256", set.SourceSha256);
            json.WriteNumber("seed", set.Seed);
            json.WriteNumber("replicates", set.Runs.Count);
            json.WriteString("device", set.Device);
            json.WriteString("runtime_version", set.RuntimeVersion);
            json.WriteStartArray("per_seed");
            for (var i = 0; i < set.Runs.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("seed", set.Runs[i].Seed);
                json.WriteString("results", $"{set.Runs[i].Folder}/{ResultsWriter.FileName}");
                foreach (var property in documents[i].RootElement.EnumerateObject().Where(p => !RunKeys.Contains(p.Name)))
                {
                    property.WriteTo(json);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("aggregate");
            json.WriteStartObject(ExpectationVocabulary.WinRatesSection);
            foreach (var judge in aggregate.GroupBy(a => a.Metric.Judge))
            {
                json.WriteStartObject(judge.Key);
                foreach (var method in judge.GroupBy(a => a.Metric.Stage))
                {
                    json.WriteStartObject(method.Key);
                    foreach (var (metric, estimate, _) in method)
                    {
                        json.WriteStartObject(metric.Dimension);
                        json.WriteNumber("mean", estimate.Value);
                        if (estimate.BetweenSeedSd is { } sd)
                        {
                            json.WriteNumber("sd", sd);
                        }
                        else
                        {
                            json.WriteNull("sd"); // one seed has no between-seed deviation
                        }

                        json.WriteNumber("lower", estimate.Lower);
                        json.WriteNumber("upper", estimate.Upper);
                        json.WriteEndObject();
                    }

                    json.WriteStartArray(ExpectationVocabulary.SampleCountKey);
                    foreach (var seed in method.First().Seeds)
                    {
                        json.WriteNumberValue(seed.N);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
            if (expectations.Outcomes.Count > 0)
            {
                ExpectationResults.Write(json, expectations);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string WriteReport(string outputDirectory, ReplicateSet set, IReadOnlyList<(MetricReference Metric, Estimate Estimate, IReadOnlyList<SeedRate> Seeds)> aggregate, DecidedExpectations expectations)
    {
        var text = new StringBuilder();
        var seeds = set.Runs.Select(r => r.Seed).ToArray();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {set.Experiment}: {seeds.Length} replicates");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seeds {string.Join(", ", seeds)}, device {set.Device}, runtime {set.RuntimeVersion}; each seed's own report: {string.Join(", ", set.Runs.Select(r => $"[{r.Seed}]({r.Folder}/{ReportWriter.FileName})"))}. Each cell is the mean win rate across the seeds with its 95 % interval (it counts both the samples within a seed and the seeds, docs/statistics.md) and the between-seed standard deviation; a tie counts ½.");
        text.AppendLine();
        ExpectationResults.AppendMarkdown(text, expectations);
        foreach (var judge in aggregate.GroupBy(a => a.Metric.Judge))
        {
            var dimensions = judge.Select(a => a.Metric.Dimension).Distinct().OrderBy(WinRateTable.DimensionOrder).ToArray();
            var methods = judge.Select(a => a.Metric.Stage).Distinct().ToArray();
            var cells = judge.ToDictionary(a => (a.Metric.Stage, a.Metric.Dimension), a => a.Estimate);
            text.AppendLine(CultureInfo.InvariantCulture, $"## Win rates across seeds: judge {judge.Key}");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"| method | {string.Join(" | ", dimensions)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| --- |{string.Concat(dimensions.Select(_ => " --- |"))}");
            foreach (var method in methods)
            {
                var row = dimensions.Select(d => cells.TryGetValue((method, d), out var e) ? Cell(e) : "");
                text.AppendLine(CultureInfo.InvariantCulture, $"| {method} | {string.Join(" | ", row)} |");
            }

            text.AppendLine();
            var file = $"plots/forest_{judge.Key}.png";
            Plots.Forest(
                Path.Combine(outputDirectory, file),
                $"win rates across {seeds.Length} seeds, judge {judge.Key}",
                methods,
                dimensions,
                (method, dimension) => cells.TryGetValue((method, dimension), out var e) ? (e.Value, e.Lower, e.Upper) : null);
            text.AppendLine(CultureInfo.InvariantCulture, $"![forest plot, judge {judge.Key}]({file})");
            text.AppendLine();
        }

        var path = Path.Combine(outputDirectory, ReportWriter.FileName);
        DurableFile.WriteAllText(path, text.ToString());
        return path;
    }

    private static string Cell(Estimate estimate) =>
        $"{ExpectationResults.Number(estimate.Value)} [{ExpectationResults.Number(estimate.Lower)}, {ExpectationResults.Number(estimate.Upper)}] (sd {(estimate.BetweenSeedSd is { } sd ? ExpectationResults.Number(sd) : "none: one seed")})";
}

using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// Writes <c>results.json</c> as contracts.md shows it: experiment, source hash, seed, resolved device, runtime version,
/// the stages with kind, hash, cached, resumed_from_step, seconds and metrics, then the results sections stages
/// filled (reward_accuracy, oracle_accuracy, win_rates), and last the declared expectations decided on its win rates
/// (none declared: no <c>expectations</c> key). Keys are written in a fixed order (maps ordinally sorted), so two
/// identical CPU runs differ only in their timings. The file appears atomically (temporary file, then rename).
/// </summary>
public static class ResultsWriter
{
    public const string FileName = "results.json";

    /// <summary>Writes <c>DIR/results.json</c> and returns its path.</summary>
    public static string Write(string outputDirectory, RunResult result, RunContext context, string device) =>
        Write(outputDirectory, result, context, device, out _);

    /// <summary>Writes <c>DIR/results.json</c>, returns its path, and gives the expectations decided on its win rates.</summary>
    public static string Write(string outputDirectory, RunResult result, RunContext context, string device, out DecidedExpectations expectations)
    {
        var path = Path.Combine(outputDirectory, FileName);
        var text = ToJson(result, context, device, null);
        expectations = DecidedExpectations.None;
        if (result.Info.Expectations.Count > 0)
        {
            // The expectations read the win rates exactly as results.json has them, as they do for each seed of a replicate set.
            using (var document = JsonDocument.Parse(text))
            {
                expectations = ExpectationResults.Decide(result.Info.Expectations, [WinRateTable.FromResults(document.RootElement)]);
            }

            text = ToJson(result, context, device, expectations);
        }

        DurableFile.WriteAllText(path, text);
        return path;
    }

    public static string ToJson(RunResult result, RunContext context, string device, DecidedExpectations? expectations = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var info = result.Info;
            json.WriteStartObject();
            json.WriteString("experiment", info.Name);
            json.WriteString("source_sha256", info.SourceSha256);
            json.WriteNumber("seed", info.Seed);
            json.WriteString("device", device);
            json.WriteString("runtime_version", info.RuntimeVersion);
            json.WriteStartObject("stages");
            foreach (var (name, output) in result.Stages.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(name);
                json.WriteString("kind", output.Kind);
                json.WriteString("hash", info.FindStage(name)?.Hash ?? string.Empty);
                json.WriteBoolean("cached", output.Cached);
                if (output.ResumedFromStep is { } step)
                {
                    json.WriteNumber("resumed_from_step", step);
                }
                else
                {
                    json.WriteNull("resumed_from_step");
                }

                json.WriteNumber("seconds", output.Seconds);
                json.WritePropertyName("metrics");
                MetricJson.Write(json, output.Metrics);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            foreach (var (section, value) in context.ResultSections)
            {
                json.WritePropertyName(section);
                MetricJson.Write(json, value);
            }

            if (expectations is { Outcomes.Count: > 0 })
            {
                ExpectationResults.Write(json, expectations);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Experiments;

namespace Pipeline.Runtime.Reporting;

/// <summary>
/// Writes <c>results.json</c> as contracts.md shows it: experiment, source hash, seed, resolved device, runtime version,
/// the stages with kind, hash, cached, resumed_from_step, seconds and metrics, then the results sections stages
/// filled (reward_accuracy, oracle_accuracy, win_rates). Keys are written in a fixed order (maps ordinally sorted), so
/// two identical CPU runs differ only in their timings. The file appears atomically (temporary file, then rename).
/// </summary>
public static class ResultsWriter
{
    public const string FileName = "results.json";

    /// <summary>Writes <c>DIR/results.json</c> and returns its path.</summary>
    public static string Write(string outputDirectory, RunResult result, RunContext context, string device)
    {
        var path = Path.Combine(outputDirectory, FileName);
        DurableFile.WriteAllText(path, ToJson(result, context, device));
        return path;
    }

    public static string ToJson(RunResult result, RunContext context, string device)
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
                WriteValue(json, output.Metrics);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            foreach (var (section, value) in context.ResultSections)
            {
                json.WritePropertyName(section);
                WriteValue(json, value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    internal static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool boolean:
                json.WriteBooleanValue(boolean);
                break;
            case int or long or short or byte or uint or ulong:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double number:
                WriteNumber(json, number);
                break;
            case float number:
                WriteNumber(json, number);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            case IDictionary dictionary:
                json.WriteStartObject();
                var entries = new List<(string Key, object? Value)>();
                for (var enumerator = dictionary.GetEnumerator(); enumerator.MoveNext();)
                {
                    entries.Add((Convert.ToString(enumerator.Key, CultureInfo.InvariantCulture)!, enumerator.Value));
                }

                foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(entry.Key);
                    WriteValue(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable items:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(json, value, value.GetType());
                break;
        }
    }

    /// <summary>JSON has no NaN or infinity: they are written as null, so that a diverged metric is visible, not a crash.</summary>
    private static void WriteNumber(Utf8JsonWriter json, double number)
    {
        if (double.IsFinite(number))
        {
            json.WriteNumberValue(number);
        }
        else
        {
            json.WriteNullValue();
        }
    }
}

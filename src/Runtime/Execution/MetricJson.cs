using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Pipeline.Runtime.Execution;

/// <summary>
/// Metric values (stage metrics, results sections) as JSON, the one way results.json and the stage cache's manifests
/// write them: maps with their keys in ordinal order, so two identical runs write identical bytes, and NaN or infinity
/// as null.
/// </summary>
public static class MetricJson
{
    /// <summary>Writes a metric value: null, a string, a boolean, a number, a map (keys in ordinal order) or a list.</summary>
    public static void Write(Utf8JsonWriter json, object? value)
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
                    Write(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable items:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    Write(json, item);
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

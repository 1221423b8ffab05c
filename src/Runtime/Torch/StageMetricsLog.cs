using System.Globalization;
using System.Text.Json;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// Per-step training metrics as JSON lines, one object per step (<c>{"step": 0, "loss": 0.41, ...}</c>), in
/// <c>&lt;run folder&gt;/&lt;stage&gt;/metrics.jsonl</c>. Lines are flushed as they are written, so a running stage
/// can be followed with <c>tail -f</c>; the file is rewritten when the stage runs again.
/// </summary>
public sealed class StageMetricsLog : IDisposable
{
    /// <summary>The log's name in its stage's folder.</summary>
    public const string FileName = "metrics.jsonl";

    private readonly StreamWriter writer;

    public StageMetricsLog(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>The log of a stage in a run folder.</summary>
    public static StageMetricsLog ForStage(string outputDirectory, string stage) =>
        new(System.IO.Path.Combine(outputDirectory, stage, FileName));

    public void Write(int step, IReadOnlyDictionary<string, double> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", step);
            foreach (var (name, value) in values)
            {
                if (double.IsFinite(value))
                {
                    json.WriteNumber(name, Math.Round(value, 6));
                }
                else
                {
                    json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
                }
            }

            json.WriteEndObject();
        }

        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public void Dispose() => writer.Dispose();
}

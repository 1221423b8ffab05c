using System.Globalization;
using System.Text.Json;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// Per-step training metrics in a stage's folder of the run (<c>&lt;run folder&gt;/&lt;stage&gt;/</c>), written twice:
/// as JSON lines in <c>metrics.jsonl</c>, one object per step (<c>{"step": 0, "loss": 0.41, ...}</c>), and as scalars
/// of a TensorBoard event file beside it (<see cref="EventFileWriter"/>; one tag per metric), so that
/// <c>tensorboard --logdir runs/</c> shows every training stage as a run. Both are flushed step by step, so a running
/// stage can be followed with <c>tail -f</c> or TensorBoard; both are rewritten when the stage trains again.
/// </summary>
public sealed class StageMetricsLog : IDisposable
{
    /// <summary>The log's name in its stage's folder.</summary>
    public const string FileName = "metrics.jsonl";

    private readonly StreamWriter writer;
    private readonly EventFileWriter events;

    public StageMetricsLog(string path)
    {
        Path = path;
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        writer = new StreamWriter(path, append: false) { AutoFlush = true };
        try
        {
            events = EventFileWriter.Create(folder);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The TensorBoard event file beside metrics.jsonl.</summary>
    public string EventFilePath => events.Path;

    /// <summary>The log of a stage in a run folder.</summary>
    public static StageMetricsLog ForStage(string outputDirectory, string stage) =>
        new(System.IO.Path.Combine(outputDirectory, stage, FileName));

    /// <summary>
    /// One step's values, the loss first and the rest in ordinal order (so a resumed stage, which writes its restored
    /// steps first, writes them as the steps themselves were written).
    /// </summary>
    public void Write(int step, IReadOnlyDictionary<string, double> values)
    {
        var ordered = values.OrderBy(p => p.Key != "loss").ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", step);
            foreach (var (name, value) in ordered)
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
        events.WriteScalars(step, ordered);
    }

    public void Dispose()
    {
        writer.Dispose();
        events.Dispose();
    }
}

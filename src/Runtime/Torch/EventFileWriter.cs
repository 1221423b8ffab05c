using Google.Protobuf;
using Pipeline.Runtime.Core;
using Tensorboard;
using TorchSharp.Utils;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// TensorBoard's event file (<c>events.out.tfevents.*</c>), so that <c>tensorboard --logdir runs/</c> shows a run's
/// training curves and samples. The file is a sequence of TFRecords — the length as a little-endian uint64, its masked
/// CRC32C, the bytes of one <c>Event</c> protocol buffer, their masked CRC32C — the first event naming the file's
/// version. The messages are TorchSharp's generated TensorBoard types and the CRC is TorchSharp's CRC32C.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own <c>SummaryWriter</c> is not used: its first event's wall time is in .NET ticks
/// (6.4e17, where TensorBoard reads seconds since 1970 and takes the first event's time as the run's start), it
/// opens and closes the file for every value, and it cannot write a whole file atomically. Here each record goes out
/// in one write and is flushed, so a killed run leaves every finished step readable and at most a torn last record,
/// which TensorBoard's reader stops at, as it does for a file still being written.
/// </remarks>
public sealed class EventFileWriter : IDisposable
{
    /// <summary>What TensorBoard looks for in a file's name.</summary>
    public const string NamePrefix = "events.out.tfevents.";

    private const string FileVersion = "brain.Event:2";

    private readonly FileStream stream;

    private EventFileWriter(string path)
    {
        Path = path;
        stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        Append(new Event { FileVersion = FileVersion, WallTime = Now() });
    }

    public string Path { get; }

    /// <summary>
    /// A new event file in <paramref name="directory"/>, after removing the folder's earlier event files: a stage that
    /// trains again (or resumes, and writes its restored steps first) replaces its record, as its metrics.jsonl does.
    /// </summary>
    public static EventFileWriter Create(string directory)
    {
        RemoveEventFiles(directory);
        return new EventFileWriter(System.IO.Path.Combine(directory, FileName("")));
    }

    /// <summary>One step's scalars as one event, flushed.</summary>
    public void WriteScalars(long step, IEnumerable<KeyValuePair<string, double>> values)
    {
        var summary = new Summary();
        foreach (var (tag, value) in values)
        {
            summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        }

        Append(new Event { WallTime = Now(), Step = step, Summary = summary });
    }

    public void Dispose() => stream.Dispose();

    /// <summary>
    /// Writes a whole event file of images (encoded PNG or GIF bytes; TensorBoard shows a GIF animated) at step 0 into
    /// <paramref name="directory"/> atomically, then removes the folder's earlier event files; returns its path.
    /// </summary>
    public static string WriteImages(string directory, IReadOnlyList<EventImage> images)
    {
        var path = System.IO.Path.Combine(directory, FileName(".images"));
        DurableFile.Write(path, output =>
        {
            var start = Now();
            output.Write(Record(new Event { FileVersion = FileVersion, WallTime = start }));
            foreach (var image in images)
            {
                var value = new Summary.Types.Value
                {
                    Tag = image.Tag,
                    Image = new Summary.Types.Image { Height = image.Height, Width = image.Width, Colorspace = 3, EncodedImageString = ByteString.CopyFrom(image.Encoded) },
                };
                output.Write(Record(new Event { WallTime = start, Step = 0, Summary = new Summary { Value = { value } } }));
            }
        }, "TensorBoard event file");
        RemoveEventFiles(directory, except: path);
        return path;
    }

    /// <summary>One TFRecord: length, its masked CRC32C, the event's bytes, their masked CRC32C.</summary>
    public static byte[] Record(Event message)
    {
        var data = message.ToByteArray();
        var record = new byte[data.Length + 16];
        BitConverter.TryWriteBytes(record.AsSpan(0, 8), (ulong)data.Length);
        BitConverter.TryWriteBytes(record.AsSpan(8, 4), MaskedCrc(record.AsSpan(0, 8).ToArray()));
        data.CopyTo(record, 12);
        BitConverter.TryWriteBytes(record.AsSpan(12 + data.Length, 4), MaskedCrc(data));
        return record;
    }

    /// <summary>TFRecord's masked CRC32C: rotated right by 15 bits plus a constant, so a CRC stored in CRC'd data stays checkable.</summary>
    public static uint MaskedCrc(byte[] data)
    {
        var crc = CRC32C.process(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private void Append(Event message)
    {
        stream.Write(Record(message));
        stream.Flush();
    }

    private static string FileName(string suffix) =>
        FormattableString.Invariant($"{NamePrefix}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}{suffix}");

    /// <summary>Seconds since 1970 (UTC), the wall time TensorBoard expects.</summary>
    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static void RemoveEventFiles(string directory, string? except = null)
    {
        Directory.CreateDirectory(directory);
        foreach (var old in Directory.EnumerateFiles(directory, NamePrefix + "*").Where(f => f != except))
        {
            File.Delete(old);
        }
    }
}

/// <summary>One image of <see cref="EventFileWriter.WriteImages"/>: its tag, size in pixels and encoded bytes (PNG or GIF).</summary>
public sealed record EventImage(string Tag, int Width, int Height, byte[] Encoded);

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>One tensor of a safetensors header: its name, dtype, shape and byte range in the data section.</summary>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of values, the product of the shape (1 for a scalar).</summary>
    public long Count => Shape.Aggregate(1L, (product, size) => product * size);
}

/// <summary>
/// The safetensors format (the format of Hugging Face's <c>safetensors</c> library, read by PyTorch, diffusers,
/// transformers and peft): an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the tensors' bytes,
/// little-endian, row-major, back to back. The JSON maps each tensor's name to its <c>dtype</c>, <c>shape</c> and
/// <c>data_offsets</c> [begin, end) within the data, and the optional key <c>__metadata__</c> to a flat map of strings.
/// </summary>
/// <remarks>
/// <para>Written here rather than through TorchSharp.PyBridge 1.4.4 (checked 2026-12-04): its writer takes no metadata
/// (<c>Safetensors.SaveStateDict</c> has a state dict only), its reader skips <c>__metadata__</c> without exposing it (the
/// entry type of <c>LoadIndex</c> is internal), and a damaged file comes back as five different exceptions
/// (JsonException, EndOfStreamException, ArgumentOutOfRangeException, NotImplementedException, a native
/// ExternalException), none naming the file. Reading and writing the format is a page of code; every check below is
/// one the format's specification states.</para>
/// <para><see cref="Open"/> validates the whole header before any tensor is read: the header length against the file,
/// the JSON, each entry's dtype, shape and offsets against its byte count, and that the entries cover the data
/// section exactly (no gap, no overlap, nothing after the last). Any failure is one
/// <see cref="RuntimeDiagnosticCodes.ModelFileMalformed"/> error naming the file and what is wrong.</para>
/// </remarks>
public sealed class SafetensorsFile
{
    /// <summary>The reference implementation refuses headers above 100 MB; so does this one.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The reserved key of the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Bytes per value of every dtype the format defines; those TorchSharp holds map to a scalar type.</summary>
    private static readonly Dictionary<string, (int Size, ScalarType? Type)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (8, ScalarType.Float64),
        ["F32"] = (4, ScalarType.Float32),
        ["F16"] = (2, ScalarType.Float16),
        ["BF16"] = (2, ScalarType.BFloat16),
        ["I64"] = (8, ScalarType.Int64),
        ["I32"] = (4, ScalarType.Int32),
        ["I16"] = (2, ScalarType.Int16),
        ["I8"] = (1, ScalarType.Int8),
        ["U8"] = (1, ScalarType.Byte),
        ["BOOL"] = (1, ScalarType.Bool),
        ["U16"] = (2, null),
        ["U32"] = (4, null),
        ["U64"] = (8, null),
        ["F8_E4M3"] = (1, null),
        ["F8_E5M2"] = (1, null),
    };

    private SafetensorsFile(string path, long length, long dataStart, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafetensorsEntry> tensors)
    {
        Path = path;
        Length = length;
        DataStart = dataStart;
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>Where the data section starts: 8 + the header length.</summary>
    public long DataStart { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order of their data.</summary>
    public IReadOnlyList<SafetensorsEntry> Tensors { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/>; no tensor is read.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelFileNotFound, $"'{path}' names no file; name a .safetensors model file.");
        }

        var file = new FileInfo(path);
        if (Directory.Exists(path) || !file.Exists)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelFileNotFound, $"{path}: no such file{(Directory.Exists(path) ? " (it is a folder)" : string.Empty)}; name a .safetensors model file.");
        }

        // Checked before the file is opened: a named pipe or a device reports no length, and opening a pipe would block.
        if (file.Length < 8)
        {
            throw Malformed(path, $"the file has {file.Length} bytes (or is a pipe or a device); a safetensors file starts with an 8-byte header length");
        }

        using var stream = file.OpenRead();
        var length = stream.Length;

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(length - 8))
        {
            throw Malformed(path, $"the header length {headerLength} runs past the end of the file ({length} bytes): it is truncated, or not a safetensors file");
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw Malformed(path, $"the header is {headerLength} bytes, above the format's limit of {MaxHeaderBytes}");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var (metadata, entries) = ParseHeader(path, header, length - dataStart);
        return new SafetensorsFile(path, length, dataStart, metadata, entries);
    }

    /// <summary>Reads every tensor onto the CPU, by name. The caller owns (disposes) the tensors.</summary>
    public Dictionary<string, Tensor> ReadTensors()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var stream = File.OpenRead(Path);
            if (stream.Length != Length)
            {
                throw Malformed(Path, $"the file changed size while it was read ({Length} bytes, now {stream.Length})");
            }

            foreach (var entry in Tensors)
            {
                var type = DTypes[entry.DType].Type ?? throw Malformed(Path, $"tensor '{entry.Name}' is {entry.DType}, which TorchSharp cannot hold; convert it to F32 first");
                var size = entry.End - entry.Begin;
                if (size > Array.MaxLength)
                {
                    throw Malformed(Path, $"tensor '{entry.Name}' has {size} bytes, more than one read can hold");
                }

                var bytes = new byte[size];
                stream.Position = DataStart + entry.Begin;
                stream.ReadExactly(bytes);
                var tensor = empty(entry.Shape, dtype: type);
                tensor.bytes = bytes;
                tensors.Add(entry.Name, tensor);
            }
        }
        catch (EndOfStreamException)
        {
            Dispose(tensors);
            throw Malformed(Path, "the file ended inside its data; it is truncated");
        }
        catch
        {
            Dispose(tensors);
            throw;
        }

        return tensors;
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; written as they are, row-major) and <paramref name="metadata"/> to
    /// <paramref name="path"/>, whole or not at all (<see cref="DurableFile"/>). The header is padded with spaces so the
    /// data starts at a multiple of 8 bytes, as the reference implementation does.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in tensors)
        {
            if (name.Length == 0 || name == MetadataKey || !names.Add(name))
            {
                throw new ArgumentException($"tensor name '{name}' is empty, reserved or repeated", nameof(tensors));
            }
        }

        using var scope = NewDisposeScope();
        var contiguous = tensors.Select(t => (t.Name, Tensor: t.Tensor.detach().contiguous().cpu())).ToArray();
        var entries = contiguous.Select(t => (t.Name, DTypeName(t.Tensor.dtype), t.Tensor.shape, t.Tensor.NumberOfElements * t.Tensor.ElementSize)).ToArray();
        WriteFile(path, metadata, entries, stream =>
        {
            foreach (var (_, tensor) in contiguous)
            {
                stream.Write(tensor.bytes);
            }
        });
    }

    /// <summary>
    /// Writes the file at <paramref name="source"/> to <paramref name="target"/> with <paramref name="metadata"/> in place
    /// of its own: the same tensors, their bytes copied as they are, without building a tensor.
    /// </summary>
    public static void Rewrite(string source, string target, IReadOnlyDictionary<string, string> metadata)
    {
        var file = Open(source);
        var entries = file.Tensors.Select(t => (t.Name, t.DType, t.Shape, t.End - t.Begin)).ToArray();
        WriteFile(target, metadata, entries, stream =>
        {
            using var input = File.OpenRead(source);
            if (input.Length != file.Length)
            {
                throw Malformed(source, $"the file changed size while it was read ({file.Length} bytes, now {input.Length})");
            }

            input.Position = file.DataStart;
            input.CopyTo(stream);
        });
    }

    /// <summary>The header length, the header (padded to a multiple of 8 bytes) and the data <paramref name="writeData"/> writes, durably.</summary>
    private static void WriteFile(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string Name, string DType, long[] Shape, long Bytes)> entries, Action<Stream> writeData)
    {
        var header = Header(metadata, entries);
        var padding = (8 - ((8 + header.Length) % 8)) % 8;
        DurableFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(header.Length + padding));
            stream.Write(prefix);
            stream.Write(header);
            for (var i = 0; i < padding; i++)
            {
                stream.WriteByte((byte)' ');
            }

            writeData(stream);
        }, "model file");
    }

    /// <summary>The format's name of a TorchSharp dtype (F32, I64, …).</summary>
    public static string DTypeName(ScalarType type) =>
        DTypes.FirstOrDefault(d => d.Value.Type == type).Key ?? throw new ArgumentException($"safetensors has no dtype for {type}", nameof(type));

    private static byte[] Header(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string Name, string DType, long[] Shape, long Bytes)> entries)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, dtype, shape, size) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (var dimension in shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static (IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafetensorsEntry> Entries) ParseHeader(string path, byte[] header, long dataLength)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(header);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed(path, "the header is not UTF-8 text");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException error)
        {
            throw Malformed(path, $"the header is not JSON ({error.Message.Split('.')[0]})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(path, "the header is not a JSON object");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafetensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Malformed(path, $"the header names '{Shorten(property.Name)}' twice");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(path, property.Name, property.Value));
                }
            }

            CheckCoverage(path, entries, dataLength);
            return (metadata, entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray());
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, $"{MetadataKey} is not an object of strings");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw Malformed(path, $"{MetadataKey} entry '{item.Name}' is {(item.Value.ValueKind == JsonValueKind.String ? "repeated" : "not a string")}");
            }
        }
    }

    private static SafetensorsEntry ReadEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, $"tensor '{name}' needs a dtype (string), a shape (array) and data_offsets (array)");
        }

        var type = dtype.GetString()!;
        if (!DTypes.TryGetValue(type, out var info))
        {
            throw Malformed(path, $"tensor '{Shorten(name)}' has the unknown dtype '{Shorten(type)}' (known: {string.Join(", ", DTypes.Keys)})");
        }

        var dimensions = shape.EnumerateArray().Select(d => NonNegative(d, path, name, "shape")).ToArray();
        var range = offsets.EnumerateArray().Select(o => NonNegative(o, path, name, "data_offsets")).ToArray();
        if (range.Length != 2 || range[0] > range[1])
        {
            throw Malformed(path, $"tensor '{name}': data_offsets must be [begin, end] with begin ≤ end, not [{string.Join(", ", range)}]");
        }

        long bytes;
        try
        {
            bytes = checked(dimensions.Aggregate(1L, (product, size) => product * size) * info.Size);
        }
        catch (OverflowException)
        {
            throw Malformed(path, $"tensor '{name}': the shape [{string.Join(", ", dimensions)}] is too large");
        }

        if (range[1] - range[0] != bytes)
        {
            throw Malformed(path, $"tensor '{name}': shape [{string.Join(", ", dimensions)}] of {type} needs {bytes} bytes, but data_offsets [{range[0]}, {range[1]}] hold {range[1] - range[0]}");
        }

        return new SafetensorsEntry(name, type, dimensions, range[0], range[1]);
    }

    /// <summary>The specification: the data section must be entirely indexed, without holes or overlaps.</summary>
    private static void CheckCoverage(string path, List<SafetensorsEntry> entries, long dataLength)
    {
        long end = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != end)
            {
                throw Malformed(path, entry.Begin > end
                    ? $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, leaving bytes {end}–{entry.Begin} unused"
                    : $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, inside the tensor before it (which ends at {end})");
            }

            end = entry.End;
        }

        if (end != dataLength)
        {
            throw Malformed(path, end > dataLength
                ? $"the tensors need {end} bytes of data but the file holds {dataLength}; it is truncated"
                : $"the file holds {dataLength} bytes of data but the tensors use {end}; bytes follow the last tensor");
        }
    }

    private static long NonNegative(JsonElement value, string path, string name, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
            ? number
            : throw Malformed(path, $"tensor '{name}': {field} holds {Shorten(value.GetRawText())}, not a non-negative integer");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static PipelineException Malformed(string path, string what) =>
        new(RuntimeDiagnosticCodes.ModelFileMalformed, $"{path}: not a valid safetensors file: {what}.");

    private static void Dispose(Dictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }
}

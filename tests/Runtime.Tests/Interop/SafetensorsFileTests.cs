using Pipeline.Runtime.Core;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Tests.Data;
using Pipeline.Runtime.Torch.Safetensors;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>
/// The safetensors codec against the format's specification: files laid out by hand here are read, files written are
/// taken apart by hand, and every way a header can be wrong is refused with PIPE4601 and a message that says what.
/// </summary>
public sealed class SafetensorsFileTests
{
    [Fact]
    public void A_file_laid_out_by_hand_reads_back_its_tensors_and_metadata()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "hand.safetensors");
        var data = new List<byte>();
        data.AddRange(BitConverter.GetBytes(1.5f));
        data.AddRange(BitConverter.GetBytes(-2f));
        data.AddRange(BitConverter.GetBytes(7L));
        System.IO.File.WriteAllBytes(path, File(
            """{"__metadata__":{"a":"b","format":"pt"},"n":{"dtype":"I64","shape":[],"data_offsets":[8,16]},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""",
            data.ToArray()));

        var file = SafetensorsFile.Open(path);
        var tensors = file.ReadTensors();

        Assert.Equal(new Dictionary<string, string> { ["a"] = "b", ["format"] = "pt" }, file.Metadata);
        Assert.Equal(["x", "n"], file.Tensors.Select(t => t.Name));
        Assert.Equal([1.5f, -2f], tensors["x"].data<float>().ToArray());
        Assert.Empty(tensors["n"].shape);
        Assert.Equal(7L, tensors["n"].item<long>());
    }

    [Fact]
    public void The_writer_lays_out_header_padding_and_data_as_the_format_says()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "written.safetensors");
        using var x = tensor(new[] { 1f, 2f, 3f, 4f }, new long[] { 2, 2 });
        using var n = tensor(new[] { 5L });

        SafetensorsFile.Write(path, new Dictionary<string, string> { ["k"] = "v" }, [("x", x), ("n", n)]);

        var bytes = System.IO.File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + length) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, length));
        Assert.Equal("v", header.RootElement.GetProperty("__metadata__").GetProperty("k").GetString());
        Assert.Equal("""{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}""", header.RootElement.GetProperty("x").GetRawText());
        Assert.Equal("""{"dtype":"I64","shape":[1],"data_offsets":[16,24]}""", header.RootElement.GetProperty("n").GetRawText());
        var data = bytes[(8 + length)..];
        Assert.Equal(24, data.Length);
        Assert.Equal([1f, 2f, 3f, 4f], Enumerable.Range(0, 4).Select(i => BitConverter.ToSingle(data, 4 * i)));
        Assert.Equal(5L, BitConverter.ToInt64(data, 16));
    }

    public static TheoryData<string, byte[], string> Malformed() => new()
    {
        { "empty", [], "the file has 0 bytes (or is a pipe or a device)" },
        { "five bytes", [1, 2, 3, 4, 5], "the file has 5 bytes" },
        { "header length past the end", [.. BitConverter.GetBytes(1000UL), .. "{}"u8.ToArray()], "the header length 1000 runs past the end of the file" },
        { "header not JSON", File("{\"x\": [", []), "the header is not JSON" },
        { "header a JSON array", File("[]", []), "the header is not a JSON object" },
        { "header not UTF-8", [.. BitConverter.GetBytes(2UL), 0xC3, 0x28], "the header is not UTF-8 text" },
        { "unknown dtype", File(Entry("x", "F31", "[1]", "[0,4]"), new byte[4]), "tensor 'x' has the unknown dtype 'F31'" },
        { "shape and offsets disagree", File(Entry("x", "F32", "[2]", "[0,4]"), new byte[4]), "tensor 'x': shape [2] of F32 needs 8 bytes, but data_offsets [0, 4] hold 4" },
        { "negative dimension", File(Entry("x", "F32", "[-1]", "[0,4]"), new byte[4]), "tensor 'x': shape holds -1, not a non-negative integer" },
        { "fractional offset", File(Entry("x", "F32", "[1]", "[0,4.5]"), new byte[4]), "data_offsets holds 4.5" },
        { "offsets reversed", File(Entry("x", "F32", "[0]", "[4,0]"), new byte[4]), "data_offsets must be [begin, end] with begin ≤ end, not [4, 0]" },
        { "three offsets", File(Entry("x", "F32", "[1]", "[0,4,8]"), new byte[4]), "not [0, 4, 8]" },
        { "shape overflows", File(Entry("x", "F32", "[4611686018427387904,4]", "[0,4]"), new byte[4]), "is too large" },
        { "tensors overlap", File(Entry("a", "F32", "[2]", "[0,8]") + "," + Entry("b", "F32", "[2]", "[4,12]"), new byte[12]), "tensor 'b' starts at byte 4 of the data, inside the tensor before it" },
        { "a gap between tensors", File(Entry("a", "F32", "[1]", "[0,4]") + "," + Entry("b", "F32", "[1]", "[8,12]"), new byte[12]), "leaving bytes 4–8 unused" },
        { "bytes after the last tensor", File(Entry("a", "F32", "[1]", "[0,4]"), new byte[6]), "the file holds 6 bytes of data but the tensors use 4" },
        { "data truncated", File(Entry("a", "F32", "[4]", "[0,16]"), new byte[8]), "the tensors need 16 bytes of data but the file holds 8; it is truncated" },
        { "metadata not strings", File("\"__metadata__\":{\"a\":1}", []), "__metadata__ entry 'a' is not a string" },
        { "metadata not an object", File("\"__metadata__\":[]", []), "__metadata__ is not an object of strings" },
        { "a tensor named twice", File(Entry("a", "F32", "[1]", "[0,4]") + "," + Entry("a", "F32", "[1]", "[4,8]"), new byte[8]), "the header names 'a' twice" },
        { "an entry without offsets", File("\"a\":{\"dtype\":\"F32\",\"shape\":[1]}", new byte[4]), "tensor 'a' needs a dtype (string), a shape (array) and data_offsets (array)" },
        { "an entry that is a string", File("\"a\":\"F32\"", []), "tensor 'a' needs a dtype" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_file_is_refused_with_PIPE4601_saying_what_is_wrong(string what, byte[] content, string message)
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "bad.safetensors");
        System.IO.File.WriteAllBytes(path, content);

        var error = Assert.Throws<PipelineException>(() => SafetensorsFile.Open(path));

        Assert.Equal("PIPE4601", error.Code);
        Assert.StartsWith($"{path}: not a valid safetensors file: ", error.Message);
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void A_missing_file_a_folder_or_no_name_is_PIPE4605()
    {
        using var folder = TestFiles.NewFolder();

        Assert.Equal("PIPE4605", Assert.Throws<PipelineException>(() => SafetensorsFile.Open(Path.Combine(folder, "missing.safetensors"))).Code);
        Assert.Equal("PIPE4605", Assert.Throws<PipelineException>(() => SafetensorsFile.Open(folder)).Code);
        Assert.Equal("'' names no file; name a .safetensors model file.", Assert.Throws<PipelineException>(() => SafetensorsFile.Open(string.Empty)).Message);
    }

    [Fact]
    public void A_dtype_TorchSharp_cannot_hold_is_listed_by_the_header_and_refused_when_read()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "u16.safetensors");
        System.IO.File.WriteAllBytes(path, File(Entry("a", "U16", "[2]", "[0,4]"), new byte[4]));

        var file = SafetensorsFile.Open(path);

        Assert.Equal("U16", file.Tensors.Single().DType);
        var error = Assert.Throws<PipelineException>(file.ReadTensors);
        Assert.Equal("PIPE4601", error.Code);
        Assert.Contains("tensor 'a' is U16, which TorchSharp cannot hold", error.Message);
    }

    [Fact]
    public void A_file_truncated_after_its_header_was_read_is_refused_when_its_tensors_are_read()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "shrinking.safetensors");
        System.IO.File.WriteAllBytes(path, File(Entry("a", "F32", "[2]", "[0,8]"), new byte[8]));
        var file = SafetensorsFile.Open(path);
        var bytes = System.IO.File.ReadAllBytes(path);
        System.IO.File.WriteAllBytes(path, bytes[..^4]);

        var error = Assert.Throws<PipelineException>(file.ReadTensors);

        Assert.Equal("PIPE4601", error.Code);
        Assert.Contains("the file changed size while it was read", error.Message);
    }

    private static string Entry(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    /// <summary>A file: the 8-byte length, the header (wrapped in braces unless it is already JSON), the data.</summary>
    private static byte[] File(string header, byte[] data)
    {
        var json = header.StartsWith('{') || header.StartsWith('[') ? header : "{" + header + "}";
        var bytes = Encoding.UTF8.GetBytes(json);
        return [.. BitConverter.GetBytes((ulong)bytes.Length), .. bytes, .. data];
    }
}

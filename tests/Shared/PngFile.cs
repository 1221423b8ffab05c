using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Tests.Shared;

/// <summary>
/// Checks that a file is a whole PNG, from the format's specification rather than a decoder: the 8-byte signature,
/// then chunks (length, type, data, CRC-32 over type and data) with every CRC correct, IHDR first, IDAT present, IEND
/// last with nothing after it. Returns the image's width and height from IHDR.
/// </summary>
internal static class PngFile
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    public static (int Width, int Height) Validate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > Signature.Length && bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature), $"{path} does not start with the PNG signature");
        var offset = Signature.Length;
        var types = new List<string>();
        (int Width, int Height) size = default;
        while (offset < bytes.Length)
        {
            Assert.True(offset + 12 <= bytes.Length, $"{path}: a chunk header runs past the end at byte {offset}");
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
            Assert.True(length >= 0 && offset + 12 + length <= bytes.Length, $"{path}: chunk at byte {offset} runs past the end");
            var type = Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8 + length));
            Assert.True(Crc32(bytes.AsSpan(offset + 4, 4 + length)) == crc, $"{path}: chunk {type} at byte {offset} has a wrong CRC");
            if (type == "IHDR")
            {
                size = ((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8)), (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 12)));
            }

            types.Add(type);
            offset += 12 + length;
        }

        Assert.Equal("IHDR", types[0]);
        Assert.Contains("IDAT", types);
        Assert.Equal("IEND", types[^1]);
        return size;
    }

    /// <summary>CRC-32 as the PNG specification defines it (reflected polynomial 0xEDB88320, initial and final XOR all ones).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xffffffffu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xffffffffu;
    }
}

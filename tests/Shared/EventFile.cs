using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Tests.Shared;

/// <summary>One event of a TensorBoard event file: its wall time, step, file version (the first event's) and values.</summary>
internal sealed record EventRecord(double WallTime, long Step, string? FileVersion, IReadOnlyList<EventValue> Values);

/// <summary>One summary value: its tag, and a scalar (<c>simple_value</c>) or an image (size and encoded bytes).</summary>
internal sealed record EventValue(string Tag, float? Scalar, int ImageWidth = 0, int ImageHeight = 0, byte[]? Image = null);

/// <summary>
/// Reads TensorBoard event files from the formats' specifications, independently of the runtime's writer and of any
/// protocol-buffer library: TFRecord framing (little-endian uint64 length, masked CRC32C of the length, the data, masked
/// CRC32C of the data), every CRC checked, then the few protocol-buffer fields TensorBoard reads (tensorflow's
/// event.proto and summary.proto: Event 1 wall_time, 2 step, 3 file_version, 5 summary; Summary 1 value; Value 1 tag,
/// 2 simple_value, 4 image; Image 1 height, 2 width, 4 encoded_image_string). A torn last record — what a killed
/// writer leaves — ends the read, as it does TensorBoard's, and is reported.
/// </summary>
internal static class EventFile
{
    /// <summary>The events of a whole file; a torn last record fails the test.</summary>
    public static IReadOnlyList<EventRecord> Read(string path)
    {
        var events = ReadPrefix(File.ReadAllBytes(path), out var torn);
        Assert.True(torn == 0, $"{path} ends in a torn record ({torn} bytes)");
        return events;
    }

    /// <summary>The events of every whole record; <paramref name="tornBytes"/> is the length of a torn record at the end (0 when none).</summary>
    public static IReadOnlyList<EventRecord> ReadPrefix(byte[] bytes, out int tornBytes)
    {
        var events = new List<EventRecord>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (offset + 12 > bytes.Length)
            {
                break;
            }

            var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            Assert.True(MaskedCrc32C(bytes.AsSpan(offset, 8)) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)), $"the length of the record at byte {offset} has a wrong CRC");
            if ((ulong)(bytes.Length - offset - 16) < length)
            {
                break;
            }

            var data = bytes.AsSpan(offset + 12, (int)length);
            Assert.True(MaskedCrc32C(data) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + (int)length)), $"the record at byte {offset} has a wrong data CRC");
            events.Add(ParseEvent(data));
            offset += 16 + (int)length;
        }

        tornBytes = bytes.Length - offset;
        return events;
    }

    /// <summary>CRC32C (Castagnoli: reflected polynomial 0x82F63B78, initial and final XOR all ones).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xffffffffu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0x82f63b78u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xffffffffu;
    }

    /// <summary>TFRecord's mask: the CRC rotated right by 15 bits, plus 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    private static EventRecord ParseEvent(ReadOnlySpan<byte> data)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<EventValue>();
        foreach (var (field, wire, number, bytes) in Fields(data.ToArray()))
        {
            switch (field)
            {
                case 1 when wire == 1:
                    wallTime = BitConverter.Int64BitsToDouble((long)number);
                    break;
                case 2 when wire == 0:
                    step = (long)number;
                    break;
                case 3 when wire == 2:
                    version = Encoding.UTF8.GetString(bytes!);
                    break;
                case 5 when wire == 2:
                    values.AddRange(Fields(bytes!).Where(f => f.Field == 1 && f.Wire == 2).Select(f => ParseValue(f.Bytes!)));
                    break;
            }
        }

        return new EventRecord(wallTime, step, version, values);
    }

    private static EventValue ParseValue(byte[] data)
    {
        var tag = string.Empty;
        float? scalar = null;
        int width = 0, height = 0;
        byte[]? image = null;
        foreach (var (field, wire, number, bytes) in Fields(data))
        {
            switch (field)
            {
                case 1 when wire == 2:
                    tag = Encoding.UTF8.GetString(bytes!);
                    break;
                case 2 when wire == 5:
                    scalar = BitConverter.Int32BitsToSingle((int)number);
                    break;
                case 4 when wire == 2:
                    foreach (var (imageField, imageWire, imageNumber, imageBytes) in Fields(bytes!))
                    {
                        switch (imageField)
                        {
                            case 1 when imageWire == 0:
                                height = (int)imageNumber;
                                break;
                            case 2 when imageWire == 0:
                                width = (int)imageNumber;
                                break;
                            case 4 when imageWire == 2:
                                image = imageBytes;
                                break;
                        }
                    }

                    break;
            }
        }

        return new EventValue(tag, scalar, width, height, image);
    }

    /// <summary>A message's fields: number, wire type, the value of a varint or fixed field, the bytes of a length-delimited one.</summary>
    private static IEnumerable<(int Field, int Wire, ulong Number, byte[]? Bytes)> Fields(byte[] data)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var key = Varint(data, ref offset);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    yield return (field, wire, Varint(data, ref offset), null);
                    break;
                case 1:
                    yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(offset)), null);
                    offset += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref offset);
                    yield return (field, wire, 0, data.AsSpan(offset, length).ToArray());
                    offset += length;
                    break;
                case 5:
                    yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)), null);
                    offset += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wire} of field {field} is not one an event uses");
            }
        }
    }

    private static ulong Varint(byte[] data, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[offset++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Runtime.Data.Files;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> arrays (format versions 1–3, C order) of little-endian float32, float64 or uint8.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an array as floats (uint8 values are divided by 255) with its shape.</summary>
    /// <exception cref="FormatException">When the file is not a supported .npy array.</exception>
    public static (float[] Data, int[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new FormatException("not a .npy file (the magic string \\x93NUMPY is missing)");
        }

        int major = bytes[6], headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8, 4)));
            headerStart = 12;
        }
        else
        {
            throw new FormatException($"unsupported .npy format version {major}");
        }

        var header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !shapeMatch.Success || !fortran.Success)
        {
            throw new FormatException($"unreadable .npy header: {header.Trim()}");
        }

        if (fortran.Groups[1].Value == "True")
        {
            throw new FormatException("Fortran-order .npy arrays are not supported; save with C order.");
        }

        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var body = bytes.AsSpan(headerStart + headerLength);
        var size = descr.Groups[1].Value switch { "<f4" => 4, "<f8" => 8, _ => 1 };
        if (body.Length < count * size)
        {
            throw new FormatException($"the .npy body holds {body.Length} bytes but shape ({string.Join(", ", shape)}) needs {count * size}.");
        }

        var data = new float[count];
        switch (descr.Groups[1].Value)
        {
            case "<f4":
                for (var i = 0; i < count; i++)
                {
                    data[i] = BinaryPrimitives.ReadSingleLittleEndian(body[(4 * i)..]);
                }

                break;
            case "<f8":
                for (var i = 0; i < count; i++)
                {
                    data[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(body[(8 * i)..]);
                }

                break;
            case "|u1":
                for (var i = 0; i < count; i++)
                {
                    data[i] = body[i] / 255f;
                }

                break;
            default:
                throw new FormatException($"unsupported .npy dtype '{descr.Groups[1].Value}'; use float32, float64 or uint8.");
        }

        return (data, shape);
    }

    /// <summary>Writes a float32 array in format version 1.0.</summary>
    public static void WriteFloat32(string path, ReadOnlySpan<float> data, IReadOnlyList<int> shape)
    {
        var shapeText = shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        Span<byte> value = stackalloc byte[4];
        foreach (var v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(value, v);
            stream.Write(value);
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

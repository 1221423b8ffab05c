using System.Buffers.Binary;

namespace Pipeline.Runtime.Data.Files;

/// <summary>
/// The average frame rate of an MP4/MOV file's first video track, read from its header in C#, so that decoding a video
/// needs one ffmpeg process and no ffprobe process beside it (which cost as much CPU as the decode itself for short
/// clips). The rate is the one ffprobe reports as <c>avg_frame_rate</c>: the media time scale × the number of samples ÷
/// their total duration, from the track's <c>mdhd</c> and <c>stts</c> boxes (FFmpeg's mov demuxer).
/// </summary>
/// <remarks>
/// Anything unusual returns null and the caller asks ffprobe: another container, a fragmented file (<c>mvex</c>), a
/// header it cannot follow, numbers past what FFmpeg keeps exact (31 bits), or a lone odd last sample that FFmpeg's
/// demuxer corrects by a heuristic of its own. Tests compare it with ffprobe on real and generated files.
/// </remarks>
public static class Mp4FrameRate
{
    private const long MaxHeaderBytes = 64L * 1024 * 1024;

    /// <summary>The average frame rate, or null when the file is not an MP4/MOV file this reader follows.</summary>
    public static double? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            var moov = FindTopLevel(stream, "moov");
            return moov is null ? null : FromMovie(moov);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The payload of the first top-level box of type <paramref name="type"/>, read into memory.</summary>
    private static byte[]? FindTopLevel(Stream stream, string type)
    {
        Span<byte> header = stackalloc byte[16];
        var position = 0L;
        while (position + 8 <= stream.Length)
        {
            stream.Position = position;
            stream.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var headerLength = 8;
            if (size == 1)
            {
                stream.ReadExactly(header.Slice(8, 8));
                size = checked((long)BinaryPrimitives.ReadUInt64BigEndian(header.Slice(8, 8)));
                headerLength = 16;
            }
            else if (size == 0)
            {
                size = stream.Length - position;
            }

            if (size < headerLength || position + size > stream.Length)
            {
                return null;
            }

            if (TypeIs(header.Slice(4, 4), type))
            {
                var length = size - headerLength;
                if (length > MaxHeaderBytes)
                {
                    return null;
                }

                var payload = new byte[length];
                stream.ReadExactly(payload);
                return payload;
            }

            position += size;
        }

        return null;
    }

    private static double? FromMovie(ReadOnlySpan<byte> moov)
    {
        if (Child(moov, "mvex").Found)
        {
            return null;
        }

        var offset = 0;
        while (Next(moov, ref offset, out var type, out var trak))
        {
            if (type != "trak" || Child(trak, "mdia") is not { Found: true } mdiaBox)
            {
                continue;
            }

            var mdia = trak.Slice(mdiaBox.Start, mdiaBox.Length);
            if (Child(mdia, "hdlr") is not { Found: true } hdlr || hdlr.Length < 12 || !TypeIs(mdia.Slice(hdlr.Start + 8, 4), "vide"))
            {
                continue;
            }

            // The first video track is the one ffmpeg's "-map 0:v:0" decodes.
            return FromMedia(mdia);
        }

        return null;
    }

    private static double? FromMedia(ReadOnlySpan<byte> mdia)
    {
        if (Child(mdia, "mdhd") is not { Found: true } mdhdBox || Child(mdia, "minf") is not { Found: true } minfBox)
        {
            return null;
        }

        var mdhd = mdia.Slice(mdhdBox.Start, mdhdBox.Length);
        if (mdhd.Length < 24)
        {
            return null;
        }

        // Version 0: creation and modification times of 4 bytes each; version 1: 8 bytes each.
        var timescale = mdhd[0] == 1 ? BinaryPrimitives.ReadUInt32BigEndian(mdhd.Slice(20, 4)) : BinaryPrimitives.ReadUInt32BigEndian(mdhd.Slice(12, 4));
        var minf = mdia.Slice(minfBox.Start, minfBox.Length);
        if (Child(minf, "stbl") is not { Found: true } stblBox)
        {
            return null;
        }

        var stbl = minf.Slice(stblBox.Start, stblBox.Length);
        if (Child(stbl, "stts") is not { Found: true } sttsBox)
        {
            return null;
        }

        var stts = stbl.Slice(sttsBox.Start, sttsBox.Length);
        if (stts.Length < 8)
        {
            return null;
        }

        var entries = BinaryPrimitives.ReadUInt32BigEndian(stts.Slice(4, 4));
        if (entries == 0 || stts.Length < 8 + (8L * entries))
        {
            return null;
        }

        long samples = 0, duration = 0;
        for (var i = 0; i < entries; i++)
        {
            var count = BinaryPrimitives.ReadUInt32BigEndian(stts.Slice(8 + (8 * i), 4));
            var delta = BinaryPrimitives.ReadUInt32BigEndian(stts.Slice(12 + (8 * i), 4));
            if (i + 1 == entries && i > 0 && count == 1 && samples > 100 && delta / 10 > duration / samples)
            {
                // FFmpeg shortens such a last sample by a heuristic; leave that case to ffprobe.
                return null;
            }

            duration = checked(duration + ((long)count * delta));
            samples = checked(samples + count);
        }

        var numerator = (long)timescale * samples;
        if (timescale == 0 || samples == 0 || duration == 0 || numerator > int.MaxValue || duration > int.MaxValue)
        {
            return null;
        }

        return numerator / (double)duration;
    }

    /// <summary>Where the payload of the first child box of <paramref name="type"/> lies within <paramref name="parent"/>.</summary>
    private static (bool Found, int Start, int Length) Child(ReadOnlySpan<byte> parent, string type)
    {
        var offset = 0;
        while (Next(parent, ref offset, out var found, out var payload))
        {
            if (found == type)
            {
                return (true, offset - payload.Length, payload.Length);
            }
        }

        return (false, 0, 0);
    }

    /// <summary>Reads the box at <paramref name="offset"/> and moves past it; false at the end or on a malformed size.</summary>
    private static bool Next(ReadOnlySpan<byte> parent, ref int offset, out string type, out ReadOnlySpan<byte> payload)
    {
        type = string.Empty;
        payload = default;
        if (offset + 8 > parent.Length)
        {
            return false;
        }

        long size = BinaryPrimitives.ReadUInt32BigEndian(parent.Slice(offset, 4));
        var headerLength = 8;
        if (size == 1)
        {
            if (offset + 16 > parent.Length)
            {
                return false;
            }

            size = (long)BinaryPrimitives.ReadUInt64BigEndian(parent.Slice(offset + 8, 8));
            headerLength = 16;
        }
        else if (size == 0)
        {
            size = parent.Length - offset;
        }

        if (size < headerLength || offset + size > parent.Length)
        {
            return false;
        }

        type = System.Text.Encoding.ASCII.GetString(parent.Slice(offset + 4, 4));
        payload = parent.Slice(offset + headerLength, (int)size - headerLength);
        offset += (int)size;
        return true;
    }

    private static bool TypeIs(ReadOnlySpan<byte> bytes, string type) =>
        bytes.Length == 4 && bytes[0] == type[0] && bytes[1] == type[1] && bytes[2] == type[2] && bytes[3] == type[3];
}

using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Files;

/// <summary>
/// Reads a video file into a <see cref="Video"/> resampled by a <see cref="VideoSampling"/>: <c>.mp4</c> (and other
/// containers ffmpeg reads: .webm, .mov, .mkv, .avi) through the <c>ffmpeg</c> and <c>ffprobe</c> programs (Debian
/// package <c>ffmpeg</c>), and <c>.npy</c> arrays of shape T×H×W×3 or 3×T×H×W (float in [0, 1], or uint8).
/// </summary>
public static partial class VideoFileReader
{
    private static readonly string[] FfmpegExtensions = [".mp4", ".webm", ".mov", ".mkv", ".avi", ".gif"];

    /// <summary>Whether <see cref="Read"/> takes a file of this name (.npy, or a container ffmpeg reads).</summary>
    public static bool CanRead(string path) => IsArray(path) || FfmpegExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Whether the file is a .npy array (read as floats, kept at their precision) rather than a container ffmpeg decodes.</summary>
    public static bool IsArray(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and resamples one video.</summary>
    /// <exception cref="PipelineException">PIPE4105 missing file, PIPE4106 undecodable, PIPE4107 no ffmpeg, PIPE4108 unknown extension.</exception>
    public static Video Read(string path, VideoSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        if (!File.Exists(path))
        {
            throw new PipelineException(DataDiagnosticCodes.VideoFileMissing, $"video file '{path}' does not exist.");
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".npy")
        {
            return ReadNpy(path, sampling);
        }

        if (FfmpegExtensions.Contains(extension))
        {
            return ReadWithFfmpeg(path, sampling);
        }

        throw new PipelineException(DataDiagnosticCodes.UnsupportedVideoFormat,
            $"video file '{path}' has extension '{extension}'; use .mp4 (or another container ffmpeg reads) or .npy.");
    }

    private static Video ReadNpy(string path, VideoSampling sampling)
    {
        float[] data;
        int[] shape;
        try
        {
            (data, shape) = NpyFile.Read(path);
        }
        catch (Exception error) when (error is FormatException or IOException or OverflowException)
        {
            throw new PipelineException(DataDiagnosticCodes.VideoDecodeFailed, $"video file '{path}': {error.Message}", error);
        }

        bool channelsLast;
        if (shape.Length == 4 && shape[3] == 3)
        {
            channelsLast = true;
        }
        else if (shape.Length == 4 && shape[0] == 3)
        {
            channelsLast = false;
        }
        else
        {
            throw new PipelineException(DataDiagnosticCodes.VideoDecodeFailed,
                $"video file '{path}' has shape ({string.Join(", ", shape)}); a video array is T×H×W×3 or 3×T×H×W.");
        }

        var (frames, height, width) = channelsLast ? (shape[0], shape[1], shape[2]) : (shape[1], shape[2], shape[3]);
        var indices = sampling.FrameIndices(frames, sampling.Fps);
        var result = new float[sampling.Shape.Length];
        var plane = new double[height * width];
        for (var k = 0; k < indices.Length; k++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var h = 0; h < height; h++)
                {
                    for (var w = 0; w < width; w++)
                    {
                        plane[h * width + w] = channelsLast
                            ? data[((indices[k] * height + h) * width + w) * 3 + c]
                            : data[((c * frames + indices[k]) * height + h) * width + w];
                    }
                }

                var resized = AreaResize(plane, height, width, sampling.Height, sampling.Width);
                var offset = sampling.Shape.PlaneOffset(c, k);
                for (var i = 0; i < resized.Length; i++)
                {
                    result[offset + i] = (float)Math.Clamp(resized[i], 0, 1);
                }
            }
        }

        return new Video(sampling.Shape, result);
    }

    /// <summary>
    /// Decodes one video with ffmpeg into bytes in C, T, H, W layout (the byte b stands for b / 255, <see cref="PixelBytes"/>):
    /// the compact form of the decoded-video store, and what <see cref="Read"/> converts to floats.
    /// </summary>
    /// <exception cref="PipelineException">PIPE4105 missing file, PIPE4106 undecodable, PIPE4107 no ffmpeg, PIPE4108 not a container ffmpeg reads.</exception>
    public static byte[] DecodeBytes(string path, VideoSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        if (!File.Exists(path))
        {
            throw new PipelineException(DataDiagnosticCodes.VideoFileMissing, $"video file '{path}' does not exist.");
        }

        if (!FfmpegExtensions.Contains(Path.GetExtension(path).ToLowerInvariant()))
        {
            throw new PipelineException(DataDiagnosticCodes.UnsupportedVideoFormat,
                $"video file '{path}' has extension '{Path.GetExtension(path)}'; use .mp4 or another container ffmpeg reads.");
        }

        // MP4 and MOV headers give the frame rate without a second process (Mp4FrameRate); anything else asks ffprobe.
        var nativeFps = Mp4FrameRate.Read(path) ?? ProbeFrameRate(path);

        // Convert to RGB before scaling: swscale's area filter then averages exactly as the C# area resize does
        // (scaling the YUV planes first and converting after differs by about 0.03 per value). One decoding thread
        // and one filter thread: videos are decoded many at a time, one process per core.
        var raw = Run("ffmpeg", ["-v", "error", "-nostdin", "-threads", "1", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
            "-filter_threads", "1", "-vf", string.Create(CultureInfo.InvariantCulture, $"format=rgb24,scale={sampling.Width}:{sampling.Height}:flags=area"),
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], path).Bytes;
        var frameBytes = sampling.Height * sampling.Width * 3;
        var frameCount = raw.Length / frameBytes;
        if (frameCount == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.VideoDecodeFailed, $"video file '{path}': ffmpeg decoded no frames.");
        }

        var indices = sampling.FrameIndices(frameCount, nativeFps);
        var shape = sampling.Shape;
        var data = new byte[shape.Length];
        for (var k = 0; k < indices.Length; k++)
        {
            var frame = raw.AsSpan(indices[k] * frameBytes, frameBytes);
            for (var c = 0; c < 3; c++)
            {
                var offset = shape.PlaneOffset(c, k);
                for (var i = 0; i < shape.PlaneLength; i++)
                {
                    data[offset + i] = frame[i * 3 + c];
                }
            }
        }

        return data;
    }

    /// <summary>The average frame rate as ffprobe reports it (<c>avg_frame_rate</c>, else <c>r_frame_rate</c>).</summary>
    internal static double ProbeFrameRate(string path)
    {
        var rateText = Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate,r_frame_rate",
            "-of", "default=noprint_wrappers=1", path], path).Text;
        return ParseRate(rateText, "avg_frame_rate") ?? ParseRate(rateText, "r_frame_rate")
            ?? throw new PipelineException(DataDiagnosticCodes.VideoDecodeFailed, $"video file '{path}': ffprobe found no video stream with a frame rate.");
    }

    private static Video ReadWithFfmpeg(string path, VideoSampling sampling)
    {
        var bytes = DecodeBytes(path, sampling);
        var data = new float[bytes.Length];
        PixelBytes.ToFloats(bytes, data);
        return new Video(sampling.Shape, data);
    }

    private static double? ParseRate(string probe, string key)
    {
        foreach (var line in probe.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                continue;
            }

            var value = line[(key.Length + 1)..].Split('/');
            if (double.TryParse(value[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var numerator))
            {
                var denominator = value.Length > 1 && double.TryParse(value[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 1;
                if (numerator > 0 && denominator > 0)
                {
                    return numerator / denominator;
                }
            }
        }

        return null;
    }

    private static (byte[] Bytes, string Text) Run(string program, IReadOnlyList<string> arguments, string path)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{program} did not start");
        }
        catch (Win32Exception error)
        {
            throw new PipelineException(DataDiagnosticCodes.FfmpegNotFound,
                $"reading '{path}' needs {program}, which is not installed or not on PATH; install it (Debian: apt-get install ffmpeg).", error);
        }

        using (process)
        {
            var errorText = process.StandardError.ReadToEndAsync();
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new PipelineException(DataDiagnosticCodes.VideoDecodeFailed,
                    $"video file '{path}': {program} failed ({process.ExitCode}): {ToolMessage(errorText.Result)}");
            }

            var bytes = output.ToArray();
            return (bytes, System.Text.Encoding.UTF8.GetString(bytes));
        }
    }

    /// <summary>
    /// ffmpeg's error output as one line that is the same on every run: its lines joined, and the memory addresses it
    /// prints beside component names (<c>[mov,mp4 @ 0x55d0f9a7c740]</c>) left out.
    /// </summary>
    internal static string ToolMessage(string text) =>
        string.Join("; ", AddressPattern().Replace(text, "]").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [System.Text.RegularExpressions.GeneratedRegex(@" @ 0x[0-9a-fA-F]+\]")]
    private static partial System.Text.RegularExpressions.Regex AddressPattern();

    /// <summary>Area resize of one plane: each output pixel is the mean of the source area it covers (fractional overlap weights).</summary>
    internal static double[] AreaResize(double[] source, int height, int width, int outHeight, int outWidth)
    {
        var rows = AreaWeights(height, outHeight);
        var columns = AreaWeights(width, outWidth);
        var temp = new double[height * outWidth];
        for (var h = 0; h < height; h++)
        {
            for (var ow = 0; ow < outWidth; ow++)
            {
                var acc = 0.0;
                foreach (var (index, weight) in columns[ow])
                {
                    acc += weight * source[h * width + index];
                }

                temp[h * outWidth + ow] = acc;
            }
        }

        var result = new double[outHeight * outWidth];
        for (var oh = 0; oh < outHeight; oh++)
        {
            for (var ow = 0; ow < outWidth; ow++)
            {
                var acc = 0.0;
                foreach (var (index, weight) in rows[oh])
                {
                    acc += weight * temp[index * outWidth + ow];
                }

                result[oh * outWidth + ow] = acc;
            }
        }

        return result;
    }

    /// <summary>For each output cell, the source cells it overlaps and the overlap's share of the output cell.</summary>
    private static List<(int Index, double Weight)>[] AreaWeights(int inSize, int outSize)
    {
        var weights = new List<(int, double)>[outSize];
        var scale = (double)inSize / outSize;
        for (var o = 0; o < outSize; o++)
        {
            weights[o] = [];
            double start = o * scale, end = (o + 1) * scale;
            for (var i = (int)Math.Floor(start); i < Math.Min(inSize, (int)Math.Ceiling(end)); i++)
            {
                var overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                if (overlap > 1e-12)
                {
                    weights[o].Add((i, overlap / scale));
                }
            }
        }

        return weights;
    }
}

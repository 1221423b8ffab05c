using System.Diagnostics;
using System.Globalization;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// Writes a video as an animated, looping GIF through the <c>ffmpeg</c> binary (Debian package <c>ffmpeg</c>,
/// installed by scripts/setup.sh): raw RGB frames on its standard input, nearest-neighbour upscaling so small videos
/// stay crisp, and a palette made for the clip. GIFs are optional: a missing or failing ffmpeg raises
/// <see cref="GifUnavailableException"/>, which the report turns into one warning (a GPU machine often has no ffmpeg,
/// and the run's work is done by the time the report is written).
/// </summary>
public static class GifWriter
{
    /// <exception cref="GifUnavailableException">ffmpeg is missing, does not start, or fails.</exception>
    public static void Write(Video video, string path, int scale = 8, int framesPerSecond = 4)
    {
        var shape = video.Shape;
        if (shape.Channels != 3)
        {
            throw new ArgumentException($"GIFs are written from RGB videos, got {shape.Channels} channels");
        }

        var frameBytes = shape.Height * shape.Width * 3;
        var bytes = new byte[shape.Frames * frameBytes];
        for (var t = 0; t < shape.Frames; t++)
        {
            for (var h = 0; h < shape.Height; h++)
            {
                for (var w = 0; w < shape.Width; w++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        bytes[(t * frameBytes) + (((h * shape.Width) + w) * 3) + c] = (byte)Math.Round(Math.Clamp(video[c, t, h, w], 0f, 1f) * 255);
                    }
                }
            }
        }

        DurableFile.Replace(path, temporary => RunFfmpeg(bytes, shape, scale, framesPerSecond, temporary, path), "GIF");
    }

    /// <summary>ffmpeg writes the GIF (<c>-f gif</c>: the temporary file's name says no format) from raw frames on its standard input.</summary>
    private static void RunFfmpeg(byte[] bytes, VideoShape shape, int scale, int framesPerSecond, string temporary, string path)
    {
        var arguments = string.Create(CultureInfo.InvariantCulture,
            $"-v error -y -f rawvideo -pix_fmt rgb24 -s {shape.Width}x{shape.Height} -r {framesPerSecond} -i - -vf \"scale=iw*{scale}:ih*{scale}:flags=neighbor,split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none\" -loop 0 -f gif \"{temporary}\"");
        var start = new ProcessStartInfo("ffmpeg", arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new GifUnavailableException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new GifUnavailableException($"writing them needs the ffmpeg binary, which is not installed or not on PATH ({error.Message})");
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardInput.BaseStream.Write(bytes);
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new GifUnavailableException($"ffmpeg failed writing '{path}' (exit code {process.ExitCode}: {errors.Result.Trim().ReplaceLineEndings(" ")})");
            }
        }
    }
}

/// <summary>A GIF could not be written because ffmpeg is missing or failed; the message says which.</summary>
public sealed class GifUnavailableException(string message) : Exception(message);

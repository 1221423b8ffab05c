using System.Diagnostics;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Tests.Data;

/// <summary>Paths and scratch folders for data tests.</summary>
internal static class TestFiles
{
    /// <summary>The repository root: the nearest folder above the test assembly holding Pipeline.sln or .git.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The paper repository's example data, <c>examples/videoalign-example</c> (MIT, copied into the repository).</summary>
    public static string VideoAlignExample => Path.Combine(RepositoryRoot, "examples", "videoalign-example");

    /// <summary>A fresh empty folder under the system temp folder, deleted when disposed.</summary>
    public static ScratchFolder NewFolder() => new();

    /// <summary>Writes a video as T×H×W×3 float32 .npy.</summary>
    public static void WriteNpy(string path, Video video)
    {
        var s = video.Shape;
        var data = new float[s.Length];
        for (var t = 0; t < s.Frames; t++)
        {
            for (var h = 0; h < s.Height; h++)
            {
                for (var w = 0; w < s.Width; w++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        data[((t * s.Height + h) * s.Width + w) * 3 + c] = video[c, t, h, w];
                    }
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NpyFile.WriteFloat32(path, data, [s.Frames, s.Height, s.Width, 3]);
    }

    /// <summary>Encodes RGB frames (T×H×W×3 bytes) to H.264 .mp4 with the ffmpeg program, independently of the loader.</summary>
    public static void EncodeMp4(string path, byte[] rgbFrames, int width, int height, int fps, int crf = 12)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", fps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-i", "pipe:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", crf.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-pix_fmt", "yuv420p", path,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(rgbFrames);
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffmpeg failed: {errors.Result}");
    }

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Pipeline.sln")) || Directory.Exists(Path.Combine(folder.FullName, ".git")) || File.Exists(Path.Combine(folder.FullName, ".git")))
            {
                return folder.FullName;
            }

            folder = folder.Parent;
        }

        throw new InvalidOperationException("No Pipeline.sln or .git above the test assembly.");
    }
}

/// <summary>A temporary folder that a test deletes with <c>using</c>; converts to its path.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-data-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public static implicit operator string(ScratchFolder folder) => folder.Path;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is cleaned by the system eventually.
        }
    }
}

using System.Diagnostics;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Reporting;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.WinRates;
using Pipeline.Runtime.Tests.Generation;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Tests.Shared;

namespace Pipeline.Runtime.Tests.Reporting;

public sealed class ReportWriterTests
{
    [Fact]
    public void A_GIF_has_every_frame_and_its_frames_differ()
    {
        var world = GenerationFixtures.TinyWorld(frames: 6, size: 16);
        using var folder = new TempFolder();
        var path = folder.File("clip.gif");

        GifWriter.Write(world.Videos[0].Video, path, scale: 4);

        var frames = DecodeFrames(path, 64, 64);
        Assert.True(frames.Count > 1, $"the GIF has {frames.Count} frame(s)");
        Assert.Equal(6, frames.Count);
        Assert.Contains(frames.Skip(1), f => !f.SequenceEqual(frames[0]));
    }

    [Fact]
    public void The_report_has_tables_with_intervals_plots_and_sample_GIFs()
    {
        var world = GenerationFixtures.TinyWorld(frames: 4, size: 16);
        using var folder = new TempFolder();
        var context = GenerationFixtures.Context(output: folder.Path);
        context.Complete(new StageOutput("world", "synthetic_videos", world));
        var eval = WinRatesStage.Run(context, "eval", KindDefaults.Of<WinRatesOptions>() with
        {
            Prompts = world.EvalPrompts,
            Methods = new IVideoGenerator[] { world.Worst },
            Baseline = world.Best,
            Judges = new IVideoJudge[] { world.Oracle },
            Seeds = 2,
            Gifs = 2,
        });
        context.Complete(eval);
        var trained = new StageOutput("gen", "flow_generator", world.Best);
        trained.Metrics["steps"] = 100;
        trained.Metrics["loss_curve"] = new double[] { 1.0, 0.7, 0.5, 0.45 };
        context.Complete(trained);
        var result = new RunResult(context.Info, context.Outputs.ToDictionary(p => p.Key, p => p.Value));

        var path = ReportWriter.Write(folder.Path, result, context);

        var text = File.ReadAllText(path);
        Assert.Contains("| world.worst | ", text);
        Assert.Matches(@"\| world\.worst \| \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", text);
        Assert.True(new FileInfo(folder.File("plots/loss_gen.png")).Length > 1000);
        Assert.True(new FileInfo(folder.File("plots/win_rates_eval_oracle.png")).Length > 1000);
        var gifs = Directory.GetFiles(folder.File("samples/eval"), "*.gif");
        Assert.Equal(4, gifs.Length);
        foreach (var gif in gifs)
        {
            Assert.Contains("samples/eval/" + Path.GetFileName(gif), text);
            var frames = DecodeFrames(gif, 128, 128);
            Assert.True(frames.Count > 1);
            Assert.Contains(frames.Skip(1), f => !f.SequenceEqual(frames[0]));
        }
    }

    /// <summary>Decodes a GIF to raw RGB frames with ffmpeg (independently of the writer's own code).</summary>
    private static List<byte[]> DecodeFrames(string path, int width, int height)
    {
        var start = new ProcessStartInfo("ffmpeg", $"-v error -i \"{path}\" -vsync passthrough -f rawvideo -pix_fmt rgb24 -")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        using var bytes = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors.Result);
        var all = bytes.ToArray();
        var size = width * height * 3;
        Assert.Equal(0, all.Length % size);
        return Enumerable.Range(0, all.Length / size).Select(i => all.AsSpan(i * size, size).ToArray()).ToList();
    }
}

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

    /// <summary>
    /// The reward models' accuracies were only in results.json and stdout; a cached stage's loss curve (a list of boxed
    /// numbers from the stage cache) got no plot; a one-step stage's loss is too short to tell.
    /// </summary>
    [Fact]
    public void The_report_shows_reward_accuracy_tables_with_the_oracle_and_plots_cached_loss_curves()
    {
        using var folder = new TempFolder();
        var context = GenerationFixtures.Context(output: folder.Path);
        SortedDictionary<string, object?> Accuracy(params (string Dimension, double? WithTies, double? WithoutTies)[] rows) =>
            new(rows.ToDictionary(r => r.Dimension, r => (object?)new SortedDictionary<string, object?> { ["with_ties"] = r.WithTies, ["without_ties"] = r.WithoutTies }), StringComparer.Ordinal);
        var oracle = Accuracy(("VQ", 0.8125, 0.9375), ("MQ", 0.75, 0.875), ("TA", 0.6875, 0.8125), ("Overall", 0.7, 0.9));
        foreach (var (name, loss, vq) in new[] { ("vr", "btt(theta: 5.0)", 0.625), ("vr_bt", "bt", 0.5) })
        {
            var reward = new StageOutput(name, "video_reward", new object());
            reward.Metrics["loss"] = loss;
            reward.Metrics["accuracy_split"] = "eval";
            reward.Metrics["eval_pairs"] = 60;
            reward.Metrics["accuracy"] = Accuracy(("VQ", vq, vq + 0.25), ("MQ", 0.5, null), ("TA", 0.375, 0.75), ("Overall", 0.5, 0.625));
            reward.Metrics["oracle_accuracy"] = oracle;
            context.Complete(reward);
        }

        var cached = new StageOutput("gen", "flow_generator", new object()) { Cached = true };
        cached.Metrics["steps"] = 40;
        cached.Metrics["loss_curve"] = new List<object?> { 1.0, 0.5, 0.25, 0L };
        context.Complete(cached);
        var once = new StageOutput("ae", "autoencoder", new object());
        once.Metrics["loss_start"] = null;
        once.Metrics["loss_end"] = null;
        context.Complete(once);

        var text = File.ReadAllText(ReportWriter.Write(folder.Path, new RunResult(context.Info, context.Outputs.ToDictionary(p => p.Key, p => p.Value)), context));

        var section = text[text.IndexOf("## Reward models", StringComparison.Ordinal)..];
        Assert.Contains("vr on 60 eval pairs; vr_bt on 60 eval pairs", section);
        var withoutTies = section[section.IndexOf("### Without ties", StringComparison.Ordinal)..section.IndexOf("### With ties", StringComparison.Ordinal)];
        Assert.Contains("| dimension | vr (btt(theta: 5.0)) | vr_bt (bt) | oracle (ceiling) |", withoutTies);
        Assert.Contains("| VQ | 0.875 | 0.750 | 0.938 |", withoutTies);
        Assert.Contains("| MQ | – | – | 0.875 |", withoutTies);
        Assert.Contains("| Overall | 0.625 | 0.625 | 0.900 |", withoutTies);
        var withTies = section[section.IndexOf("### With ties", StringComparison.Ordinal)..];
        Assert.Contains("| VQ | 0.625 | 0.500 | 0.813 |", withTies);
        Assert.Contains("| TA | 0.375 | 0.375 | 0.688 |", withTies);

        Assert.Equal((720, 420), PngFile.Validate(folder.File("plots/loss_gen.png")));
        Assert.Contains("| ae | autoencoder | 0.0 | loss_start too short to tell, loss_end too short to tell |", text);
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

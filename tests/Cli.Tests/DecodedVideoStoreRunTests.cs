using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Real videos through <c>pipeline run</c> (issue 24): a pair file of two dozen mp4s made with ffmpeg feeding a
/// <c>video_reward</c> stage. The first run decodes every video into the decoded-video store, a rerun decodes none,
/// a video whose content changes is decoded alone and retrains the reward model, and bad videos stop the run before
/// training, listed together, or are skipped.
/// </summary>
public sealed class DecodedVideoStoreRunTests
{
    private static readonly string Source = PairFileRewardExperiment.Source("mp4data", "Two dozen mp4s and the reward model trained on them.");

    [Fact]
    public void A_rerun_decodes_no_video_and_one_changed_video_is_decoded_alone_and_retrains()
    {
        using var folder = new TempFolder();
        using var cache = new TempFolder();
        var experiment = WriteExperiment(folder, videos: 24);

        var first = Run(cache, "run", experiment, "--out", folder.File("first"), "--quiet");
        Assert.Equal(24, Metric(folder, "first", "videos"));
        Assert.Equal(24, Metric(folder, "first", "videos_decoded"));
        Assert.Contains("stage prefs: 24/24 new or changed videos (", first.StandardOutput);   // plain lines when redirected
        Assert.Contains("prefs: 24 videos decoded, 0 from the decoded-video store", first.StandardOutput);

        var second = Run(cache, "run", experiment, "--out", folder.File("second"), "--quiet");
        Assert.Equal(0, Metric(folder, "second", "videos_decoded"));
        Assert.Contains("prefs: 0 videos decoded, 24 from the decoded-video store", second.StandardOutput);
        Assert.DoesNotContain("new or changed videos", second.StandardOutput);
        Assert.Contains("stage vr: cached", second.StandardOutput);
        Assert.Equal(Comparable(folder, "first"), Comparable(folder, "second"));

        // Other content under one name: that video alone is decoded, and the reward model trained on it is stale.
        EncodeVideo(folder.File("v/5.mp4"), seed: 1005);
        var third = Run(cache, "run", experiment, "--out", folder.File("third"), "--quiet");
        Assert.Equal(1, Metric(folder, "third", "videos_decoded"));
        Assert.Contains("stage prefs: 1/1 new or changed videos (", third.StandardOutput);
        Assert.Contains("cache entry for stage vr is stale (the data stage prefs read files whose content changed since it was stored); recomputing", third.StandardOutput);
        Assert.Contains("stage vr: running", third.StandardOutput);
        Assert.NotEqual(Comparable(folder, "first"), Comparable(folder, "third"));
    }

    [Fact]
    public void Bad_videos_stop_the_run_before_training_with_every_one_listed_or_are_skipped()
    {
        using var folder = new TempFolder();
        using var cache = new TempFolder();
        var experiment = WriteExperiment(folder, videos: 12);
        File.WriteAllText(folder.File("v/broken.mp4"), "not a video");
        File.AppendAllLines(folder.File("pairs.csv"), ["v/0.mp4,v/broken.mp4,prompt 0,A,B,A", "v/gone.mp4,v/1.mp4,prompt 1,B,A,B"]);

        var stopped = PipelineCli.Run(["run", experiment, "--out", folder.File("stopped"), "--quiet"], cache.Path);
        Assert.Equal(1, stopped.ExitCode);
        var error = stopped.StandardError.Trim();
        Assert.StartsWith($"error PIPE4111: 2 videos of {folder.File("pairs.csv")} cannot be read: {folder.File("pairs.csv")}:8: ", error);
        Assert.Contains($"{folder.File("pairs.csv")}:9: video file '{folder.File("v/gone.mp4")}' does not exist", error);
        Assert.Contains("set on_bad_video = skip", error);
        Assert.DoesNotContain("stage vr: running", stopped.StandardOutput);

        Run(cache, "run", experiment, "--set", "prefs.on_bad_video=skip", "--out", folder.File("skipped"), "--quiet");
        Assert.Equal(2, Metric(folder, "skipped", "skipped_videos"));
        Assert.Equal(2, Metric(folder, "skipped", "skipped_pairs"));
        Assert.Equal(6, Metric(folder, "skipped", "pairs"));
    }

    /// <summary>Videos 0 … n−1, a pair file pairing 2i with 2i + 1 over three prompts, and the experiment.</summary>
    private static string WriteExperiment(TempFolder folder, int videos)
    {
        Directory.CreateDirectory(folder.File("v"));
        var labels = new[] { "A", "B", "same" };
        var rows = new List<string> { "path_A,path_B,prompt,VQ,MQ,TA" };
        for (var i = 0; i < videos; i++)
        {
            EncodeVideo(folder.File($"v/{i}.mp4"), seed: i);
        }

        for (var i = 0; i < videos / 2; i++)
        {
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"v/{2 * i}.mp4,v/{(2 * i) + 1}.mp4,prompt {i % 3},{labels[i % 3]},{labels[(i + 1) % 3]},{labels[(i + 2) % 3]}"));
        }

        File.WriteAllLines(folder.File("pairs.csv"), rows);
        File.WriteAllText(folder.File("mp4data.pipe"), Source);
        return folder.File("mp4data.pipe");
    }

    /// <summary>Six 16×12 frames of random colour blocks at 8 fps, H.264, made by the ffmpeg program.</summary>
    private static void EncodeVideo(string path, int seed)
    {
        var random = new Random(seed);
        var frames = new byte[6 * 12 * 16 * 3];
        for (var i = 0; i < frames.Length; i += 12)
        {
            frames.AsSpan(i, 12).Fill((byte)random.Next(256));
        }

        var raw = Path.ChangeExtension(path, ".rgb");
        File.WriteAllBytes(raw, frames);
        var result = ProcessRunner.Run("ffmpeg", ["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "16x12", "-r", "8", "-i", raw,
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p", path]);
        Assert.True(result.ExitCode == 0, result.All);
        File.Delete(raw);
    }

    private static long Metric(TempFolder folder, string run, string name) =>
        JsonNode.Parse(File.ReadAllText(folder.File($"{run}/results.json")))!["stages"]!["prefs"]!["metrics"]![name]!.GetValue<long>();

    /// <summary>results.json without the fields that may differ between a run and its rerun: seconds, cached, videos_decoded.</summary>
    private static string Comparable(TempFolder folder, string run) =>
        Regex.Replace(File.ReadAllText(folder.File($"{run}/results.json")), @"""(seconds|cached|videos_decoded)"": [^,\n]+", string.Empty);

    private static ProcessRunner.Result Run(TempFolder cache, params string[] arguments)
    {
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }
}

using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Store;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Backend;
using Pipeline.Runtime.Torch.Models.Reward;

namespace Pipeline.Runtime.Tests.Data;

/// <summary>
/// The decoded-video store: decoded once and reopened from metadata, a changed, added or removed file re-decoded
/// alone, damage found, bad videos collected, and training from the memory-mapped store the same as from memory.
/// </summary>
public class VideoStoreTests
{
    private static readonly PreferenceDimension[] Three = [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA];
    private static readonly VideoSampling Sampling = new(4, 8, 8, 2);

    [Fact]
    public void A_second_load_decodes_nothing_and_only_a_changed_or_added_file_is_decoded()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WritePairs(folder, videos: 6, extension: ".mp4");
        var store = Path.Combine(folder, "store");
        var first = Load(csv, store);
        Assert.Equal(6, first.Videos.Decoded);
        Assert.IsType<StoredVideo>(first.Pairs.Pairs[0].VideoA);

        // Reopened: nothing decoded, every pixel as ffmpeg decodes it into memory.
        var second = Load(csv, store);
        Assert.Equal(0, second.Videos.Decoded);
        Assert.Equal(first.Videos.Fingerprint, second.Videos.Fingerprint);
        foreach (var pair in second.Pairs.Pairs)
        {
            Assert.Equal(VideoFileReader.Read(pair.VideoA.Description, Sampling).Data, pair.VideoA.Load().Data);
        }

        // Touched without a change: hashed, found in the store, not decoded; the fingerprint stays.
        File.SetLastWriteTimeUtc(Video(folder, 2, ".mp4"), DateTime.UtcNow.AddMinutes(1));
        var touched = Load(csv, store);
        Assert.Equal(0, touched.Videos.Decoded);
        Assert.Equal(first.Videos.Fingerprint, touched.Videos.Fingerprint);

        // Another video's content under one name: that one alone is decoded, and the fingerprint changes.
        EncodeVideo(Video(folder, 4, ".mp4"), seed: 99);
        var changed = Load(csv, store);
        Assert.Equal(1, changed.Videos.Decoded);
        Assert.NotEqual(first.Videos.Fingerprint, changed.Videos.Fingerprint);
        var four = changed.Pairs.Pairs.First(p => p.VideoA.Description == Video(folder, 4, ".mp4")).VideoA;
        Assert.Equal(VideoFileReader.Read(Video(folder, 4, ".mp4"), Sampling).Data, four.Load().Data);

        // A renamed file is found by its content; a new one is decoded; one no row names any more leaves the index.
        File.Move(Video(folder, 5, ".mp4"), Path.Combine(folder, "v", "renamed.mp4"));
        EncodeVideo(Path.Combine(folder, "v", "new.mp4"), seed: 7);
        File.WriteAllText(csv, File.ReadAllText(csv).Replace("v/5.mp4", "v/renamed.mp4", StringComparison.Ordinal).Replace("v/3.mp4", "v/new.mp4", StringComparison.Ordinal));
        var moved = Load(csv, store);
        Assert.Equal(1, moved.Videos.Decoded);
        using var reopened = VideoStore.Open(VideoStore.FolderFor(store, csv, Sampling), Sampling, out var problem);
        Assert.Null(problem);
        Assert.Equal(
            new[] { "0", "1", "2", "4", "new", "renamed" },
            reopened.Entries.Select(e => Path.GetFileNameWithoutExtension(e.Path)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_file_rewritten_with_other_content_of_the_same_size_is_detected()
    {
        // Uncompressed AVI: every video of one shape has the same size, so only the content tells them apart.
        using var folder = TestFiles.NewFolder();
        var csv = WritePairs(folder, videos: 4, extension: ".avi");
        var store = Path.Combine(folder, "store");
        Assert.Equal(4, Load(csv, store).Videos.Decoded);
        var path = Video(folder, 1, ".avi");
        var size = new FileInfo(path).Length;
        EncodeVideo(path, seed: 42);
        Assert.Equal(size, new FileInfo(path).Length);
        var changed = Load(csv, store);
        Assert.Equal(1, changed.Videos.Decoded);
        Assert.Equal(VideoFileReader.Read(path, Sampling).Data, changed.Pairs.Pairs.First(p => p.VideoA.Description == path).VideoA.Load().Data);
    }

    [Fact]
    public void A_damaged_store_is_reported_removed_and_rebuilt()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WritePairs(folder, videos: 3, extension: ".mp4");
        var store = Path.Combine(folder, "store");
        Load(csv, store);
        var pixels = Path.Combine(VideoStore.FolderFor(store, csv, Sampling), VideoStore.PixelsFile);
        var bytes = File.ReadAllBytes(pixels);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(pixels, bytes);

        var damaged = Load(csv, store);
        var error = Assert.Throws<PipelineException>(() =>
        {
            foreach (var pair in damaged.Pairs.Pairs)
            {
                pair.VideoA.Load();
            }
        });
        Assert.Equal(DataDiagnosticCodes.VideoStoreDamaged, error.Code);
        Assert.Contains("run again", error.Message);
        var rebuilt = Load(csv, store);
        Assert.Equal(3, rebuilt.Videos.Decoded);
        Assert.All(rebuilt.Pairs.Pairs, p => p.VideoA.Load());
    }

    [Fact]
    public void Bad_videos_are_reported_together_with_their_lines_or_skipped()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WritePairs(folder, videos: 4, extension: ".mp4");
        File.WriteAllText(Path.Combine(folder, "v", "broken.mp4"), "not a video");
        File.AppendAllText(csv, "v/0.mp4,v/gone.mp4,late,A,B,A\nv/broken.mp4,v/1.mp4,later,B,B,A\n");
        var error = Assert.Throws<PipelineException>(() => Load(csv, Path.Combine(folder, "store")));
        Assert.Equal(DataDiagnosticCodes.BadVideos, error.Code);
        Assert.StartsWith($"2 videos of {csv} cannot be read: {csv}:6: video file '{Path.Combine(folder, "v", "gone.mp4")}' does not exist; {csv}:7: ", error.Message);
        Assert.Contains("on_bad_video = skip", error.Message);
        Assert.DoesNotContain("\n", error.Message);
        Assert.DoesNotContain(" @ 0x", error.Message);

        var skipped = PairFileReader.Load(csv, Three, Sampling, new PairFileSettings(Path.Combine(folder, "store"), Workers: 2, SkipBadVideos: true));
        Assert.Equal(4, skipped.Pairs.Count);
        Assert.Equal(2, skipped.SkippedPairs);
        Assert.Equal(["broken.mp4", "gone.mp4"], skipped.Videos.Bad.Select(b => Path.GetFileName(b.Path)));
        Assert.Equal([DataDiagnosticCodes.VideoDecodeFailed, DataDiagnosticCodes.VideoFileMissing], skipped.Videos.Bad.Select(b => b.Code));
    }

    [Fact]
    public void Training_from_the_memory_mapped_store_equals_training_from_memory()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WritePairs(folder, videos: 8, extension: ".mp4");
        var stored = Load(csv, Path.Combine(folder, "store")).Pairs;
        Assert.All(stored.Pairs, p => Assert.IsType<StoredVideo>(p.VideoA));

        // The same pairs with every video decoded into floats in memory, as before the store.
        var inMemory = PreferencePairSet.Load(csv, Three, Sampling);
        var floats = new PreferencePairSet(inMemory.Shape, inMemory.Dimensions, inMemory.ExtraColumns, inMemory.Pairs
            .Select(p => p with { VideoA = new DecodedVideo(p.VideoA.Description, p.VideoA.Load()), VideoB = new DecodedVideo(p.VideoB.Description, p.VideoB.Load()) })
            .ToArray());

        var (storeLosses, storeScores) = Train(stored);
        var (memoryLosses, memoryScores) = Train(floats);
        Assert.Equal(memoryLosses, storeLosses);
        Assert.Equal(memoryScores, storeScores);
    }

    [Fact]
    public void Frame_rates_from_mp4_headers_equal_ffprobe_s()
    {
        var files = Directory.GetFiles(Path.Combine(TestFiles.VideoAlignExample, "videos"), "*.mp4").ToList();
        using var folder = TestFiles.NewFolder();
        foreach (var rate in new[] { "24", "25", "30000/1001", "8", "12.5" })
        {
            var path = Path.Combine(folder, $"r{files.Count}.mp4");
            FfmpegTool.Run("-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size=32x24:rate={rate}", "-frames:v", "17", "-c:v", "libx264", "-pix_fmt", "yuv420p", path);
            files.Add(path);
        }

        Assert.Equal(11, files.Count);
        foreach (var file in files)
        {
            Assert.Equal(VideoFileReader.ProbeFrameRate(file), Mp4FrameRate.Read(file));
        }

        // Not an MP4: no rate, and the reader asks ffprobe.
        File.WriteAllText(Path.Combine(folder, "x.mp4"), "not a video");
        Assert.Null(Mp4FrameRate.Read(Path.Combine(folder, "x.mp4")));
    }

    [Fact]
    public void Decoding_uses_the_cores_a_slurm_task_was_given()
    {
        var environment = new Dictionary<string, string?>();
        Assert.Equal(16, DecodeWorkers.Available(16, environment.GetValueOrDefault));
        environment["OMP_NUM_THREADS"] = "1";
        Assert.Equal(16, DecodeWorkers.Available(16, environment.GetValueOrDefault));   // outside Slurm, a torch setting
        environment["SLURM_JOB_ID"] = "42";
        environment["SLURM_CPUS_PER_TASK"] = "4";
        Assert.Equal(1, DecodeWorkers.Available(16, environment.GetValueOrDefault));
        environment["OMP_NUM_THREADS"] = "8";
        Assert.Equal(4, DecodeWorkers.Available(16, environment.GetValueOrDefault));
        Assert.Equal(2, DecodeWorkers.Available(2, environment.GetValueOrDefault));
    }

    private static PairFileLoad Load(string csv, string store) =>
        PairFileReader.Load(csv, Three, Sampling, new PairFileSettings(store, Workers: 2));

    private static (IReadOnlyList<double> Losses, float[,] Scores) Train(PreferencePairSet pairs)
    {
        var device = DeviceSpec.Cpu.Resolve();
        var options = KindDefaults.Of<VideoRewardOptions>() with { Train = pairs, Loss = RewardLoss.Btt(5.0), Tokens = RewardTokenMode.Separate, Width = 8, Epochs = 3, Lr = 1e-3, Batch = 4 };
        var estimator = new MLContext(seed: 1).Rewards().VideoReward(options);
        estimator.Run = new TrainingRun(Seed: 11, Stage: "video_reward") { Device = device };
        var data = RewardPairData.Read(pairs.ToDataView(), pairs.Shape, estimator.TrainedDimensions);
        var model = estimator.Train(data);
        return (estimator.Trainer!.Losses.ToArray(), VideoRewardEstimator.ScoreBoth(model, data));
    }

    private static string Video(string folder, int index, string extension) => Path.Combine(folder, "v", $"{index}{extension}");

    /// <summary>Videos 0 … n−1 of random pixels and a pair file that pairs each with the next.</summary>
    private static string WritePairs(string folder, int videos, string extension)
    {
        Directory.CreateDirectory(Path.Combine(folder, "v"));
        var labels = new[] { "A", "B", "same" };
        var rows = new List<string> { "path_A,path_B,prompt,VQ,MQ,TA" };
        for (var i = 0; i < videos; i++)
        {
            EncodeVideo(Video(folder, i, extension), seed: i);
            rows.Add($"v/{i}{extension},v/{(i + 1) % videos}{extension},prompt {i % 3},{labels[i % 3]},{labels[(i + 1) % 3]},{labels[(i + 2) % 3]}");
        }

        var csv = Path.Combine(folder, "pairs.csv");
        File.WriteAllLines(csv, rows);
        return csv;
    }

    /// <summary>Six 16×12 frames of random colour blocks at 8 fps: H.264 for .mp4, uncompressed for .avi.</summary>
    private static void EncodeVideo(string path, int seed)
    {
        var random = new Random(seed);
        var frames = new byte[6 * 12 * 16 * 3];
        for (var i = 0; i < frames.Length; i += 12)
        {
            var value = (byte)random.Next(256);
            frames.AsSpan(i, 12).Fill(value);
        }

        var raw = Path.ChangeExtension(path, ".rgb");
        File.WriteAllBytes(raw, frames);
        var codec = path.EndsWith(".avi", StringComparison.Ordinal) ? new[] { "-c:v", "rawvideo", "-pix_fmt", "bgr24" } : ["-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p"];
        FfmpegTool.Run(["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "16x12", "-r", "8", "-i", raw, .. codec, path]);
        File.Delete(raw);
    }
}

/// <summary>Runs the ffmpeg program for a test's inputs, independently of the loader.</summary>
internal static class FfmpegTool
{
    public static void Run(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffmpeg failed: {errors}");
    }
}

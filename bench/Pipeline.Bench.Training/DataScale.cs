using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Store;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models.Reward;
using static TorchSharp.torch;

namespace Pipeline.Bench.Training;

/// <summary>
/// The scale benchmark of real data (bench/data/run.sh, issue 24), one step per process so each step's peak resident
/// memory is its own: <c>data-make</c> writes N pairs of synthetic-world videos as mp4 files with a pair file,
/// <c>data-load</c> loads them through the decoded-video store (the first time decoding, then reopening), and
/// <c>data-epoch</c> trains VideoReward for one epoch from the store and times the minibatches' loading apart.
/// Each prints one JSON object.
/// </summary>
public static class DataScale
{
    /// <summary>The sampling every step uses: the catalogue's defaults for file videos (8 frames, 16×16, 2 fps).</summary>
    public static readonly VideoSampling Sampling = new(8, 16, 16, 2);

    private static readonly PreferenceDimension[] Dimensions = [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA];

    /// <summary>
    /// Renders <paramref name="pairs"/> world pairs (seed 7, the world's default options: 8 frames of 16×16) and
    /// encodes each video with ffmpeg (H.264, 2 fps, scaled ×<paramref name="scale"/> with nearest-neighbour so the
    /// decoder has real frames to shrink), <paramref name="workers"/> at a time; writes <c>pairs.csv</c> with the
    /// annotator's labels.
    /// </summary>
    public static object Make(string folder, int pairs, int workers, int scale)
    {
        var options = new SyntheticVideosOptions
        {
            Prompts = 256, EvalPrompts = 64, Frames = 8, Resolution = [16, 16], Generators = 6, Samples = 1, AnnotatorNoise = 0.5, TieThreshold = 0.4,
        };
        var world = new SyntheticWorld(options, seed: 7);
        var watch = Stopwatch.StartNew();
        var drawn = world.Pairs(pairs);
        Directory.CreateDirectory(Path.Combine(folder, "videos"));
        var rows = new string[pairs + 1];
        rows[0] = "path_A,path_B,prompt,VQ,MQ,TA";
        Parallel.For(0, pairs, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
        {
            var pair = drawn[i];
            Encode(pair.RenderA(), Path.Combine(folder, "videos", $"{i}a.mp4"), scale);
            Encode(pair.RenderB(), Path.Combine(folder, "videos", $"{i}b.mp4"), scale);
            var labels = Dimensions.Select(d => pair.Labels[d] switch { PreferenceLabel.A => "A", PreferenceLabel.B => "B", _ => "same" });
            rows[i + 1] = CsvRecords.Format([$"videos/{i}a.mp4", $"videos/{i}b.mp4", pair.Prompt.Text, .. labels]);
        });
        File.WriteAllLines(Path.Combine(folder, "pairs.csv"), rows);
        var bytes = Directory.GetFiles(Path.Combine(folder, "videos")).Sum(f => new FileInfo(f).Length);
        return new { step = "make", pairs, videos = 2 * pairs, workers, seconds = watch.Elapsed.TotalSeconds, mp4_bytes = bytes, peak_rss_mb = PeakResidentMegabytes() };
    }

    /// <summary>Loads the pair file's videos through the store in <paramref name="store"/> with <paramref name="workers"/> decoders.</summary>
    public static object Load(string folder, string store, int workers)
    {
        var watch = Stopwatch.StartNew();
        var load = PairFileReader.Load(Path.Combine(folder, "pairs.csv"), Dimensions, Sampling, new PairFileSettings(store, Workers: workers));
        var seconds = watch.Elapsed.TotalSeconds;
        var videos = load.Videos.Videos.Count;
        return new
        {
            step = "load",
            pairs = load.Pairs.Count,
            videos,
            videos_decoded = load.Videos.Decoded,
            workers,
            seconds,
            videos_per_second = videos / seconds,
            videos_per_second_per_core = videos / seconds / workers,
            peak_rss_mb = PeakResidentMegabytes(),
        };
    }

    /// <summary>
    /// One epoch of VideoReward training at <paramref name="size"/>'s widths and batch from the store (reopened), then
    /// the same epoch's minibatches only loaded (gathered from the store and turned into float tensors on the device,
    /// as the trainer does): the share of a training step spent loading data is the second time over the first.
    /// </summary>
    public static object Epoch(string folder, string store, BenchSize size, Device device)
    {
        var load = PairFileReader.Load(Path.Combine(folder, "pairs.csv"), Dimensions, Sampling, new PairFileSettings(store, Workers: 1));
        var names = Dimensions.Select(d => d.ToString()).ToArray();
        var data = RewardPairData.Read(load.Pairs.ToDataView(), load.Pairs.Shape, names);
        var options = new VideoRewardOptions { Train = load.Pairs, Loss = RewardLoss.Btt(5.0), Tokens = RewardTokenMode.Separate, Width = size.RewardWidth, Epochs = 1, Lr = 2e-3, Batch = size.Batch };
        var estimator = new MLContext(seed: 1).Rewards().VideoReward(options);
        estimator.Run = new TrainingRun(7, "video_reward") { Device = device };
        var watch = Stopwatch.StartNew();
        estimator.Train(data);
        var training = watch.Elapsed.TotalSeconds;
        var steps = (data.Count + size.Batch - 1) / size.Batch;

        var order = Enumerable.Range(0, data.Count).Select(i => (long)i).ToArray();
        new Random(7).Shuffle(order);
        watch.Restart();
        for (var start = 0; start < order.Length; start += size.Batch)
        {
            var batch = order.AsSpan(start, Math.Min(size.Batch, order.Length - start));
            using var a = VideoBatch.Gather(data.VideosA, batch, device);
            using var b = VideoBatch.Gather(data.VideosB, batch, device);
        }

        var loading = watch.Elapsed.TotalSeconds;
        return new
        {
            step = "epoch",
            size = size.Name,
            device = device.ToString(),
            pairs = data.Count,
            batch = size.Batch,
            steps,
            training_seconds = training,
            ms_per_step = training * 1000 / steps,
            loading_seconds = loading,
            loading_ms_per_step = loading * 1000 / steps,
            loading_share = loading / training,
            peak_rss_mb = PeakResidentMegabytes(),
        };
    }

    /// <summary>Prints a step's result as one JSON line.</summary>
    public static void Print(object result) => Console.WriteLine(JsonSerializer.Serialize(result));

    /// <summary>This process's peak resident memory (VmHWM of /proc/self/status) in MiB.</summary>
    private static double PeakResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>One video through ffmpeg's stdin as raw RGB frames (T, H, W, 3) into an H.264 mp4 at 2 fps.</summary>
    private static void Encode(Video video, string path, int scale)
    {
        var shape = video.Shape;
        var frames = new byte[shape.Length];
        for (var t = 0; t < shape.Frames; t++)
        {
            for (var i = 0; i < shape.PlaneLength; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    frames[((t * shape.PlaneLength) + i) * 3 + c] = (byte)Math.Round(Math.Clamp(video.Data[shape.PlaneOffset(c, t) + i], 0, 1) * 255);
                }
            }
        }

        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{shape.Width}x{shape.Height}", "-r", "2", "-i", "pipe:0",
            "-vf", $"scale={shape.Width * scale}:{shape.Height * scale}:flags=neighbor", "-threads", "1",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", path,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(frames);
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not encode {path}: {errors.Result}");
        }
    }
}

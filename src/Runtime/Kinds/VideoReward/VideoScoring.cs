using System.Globalization;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Torch.Models.Reward;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>One video to score: its path as the score file writes it, the file, its prompt, and the columns copied from the input.</summary>
/// <param name="Path">The path relative to the folder it was named from (the pair file's, or the scored folder).</param>
/// <param name="File">The file's full path.</param>
/// <param name="Prompt">The prompt it is scored against.</param>
/// <param name="Model">The generator that made it (the pair file's A_model / B_model), or empty.</param>
/// <param name="Fps">The pair file's fps_A / fps_B as written, or empty.</param>
/// <param name="NumFrames">The pair file's num_frames_A / num_frames_B as written, or empty.</param>
public sealed record VideoToScore(string Path, string File, string Prompt, string Model, string Fps, string NumFrames);

/// <summary>
/// <c>pipeline score</c>: per-video scores of a VideoReward-mini, written in the layout of the official evaluation's
/// per-video output (<c>out_single.csv</c> of <c>eval_videogen_rewardbench.py</c>): <c>path, model, prompt, fps,
/// num_frames</c>, then <c>reward_VQ, reward_MQ, reward_TA</c> (the model's dimensions, in its order) and
/// <c>reward_Overall</c>, the columns <see cref="RewardBench"/> reads. Scores are z-normalised with the model's
/// evaluation-split statistics and Overall is the mean of the z-scores of VQ, MQ and TA, as the run's judge computes
/// them (<see cref="VideoRewardModel.ToNormalized"/>; the official inference sums them instead, which ranks the same);
/// a model file without statistics gets raw scores and no Overall.
/// </summary>
public static class VideoScoring
{
    /// <summary>The columns before the scores: those of the official per-video output.</summary>
    public static IReadOnlyList<string> LeadingColumns { get; } = ["path", "model", "prompt", "fps", "num_frames"];

    /// <summary>The frame rate a pair file's videos are sampled at when neither the command nor the model file says (the catalogue's <c>preference_pairs.fps</c>).</summary>
    public static double DefaultFps { get; } = Convert.ToDouble(StageCatalog.FindKind("preference_pairs")!.FindProperty("fps")!.Default, CultureInfo.InvariantCulture);

    /// <summary>
    /// The distinct videos of a VideoGen-RewardBench pair file (columns <c>path_A</c>, <c>path_B</c>, <c>prompt</c>;
    /// optionally <c>A_model</c>, <c>B_model</c>, <c>fps_A</c>, <c>num_frames_A</c>, <c>fps_B</c>, <c>num_frames_B</c>),
    /// each once however its path is spelled (<see cref="RewardBench.VideoKey"/>), with the first row's prompt, sorted by
    /// path as the official evaluation sorts them. Labels are not read.
    /// </summary>
    public static IReadOnlyList<VideoToScore> FromPairFile(string csv)
    {
        if (!System.IO.File.Exists(csv))
        {
            throw new PipelineException(DataDiagnosticCodes.PairFileNotFound, $"{csv}: the pair file does not exist.");
        }

        var records = CsvRecords.Parse(System.IO.File.ReadAllText(csv), csv);
        if (records.Count < 2)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{csv}: the pair file has no rows{(records.Count == 0 ? " and no header" : string.Empty)}.");
        }

        var header = records[0].Fields.Select(f => f.Trim()).ToList();
        foreach (var column in new[] { "path_A", "path_B", "prompt" })
        {
            if (!header.Contains(column))
            {
                throw new PipelineException(DataDiagnosticCodes.MissingColumn, $"{csv}:1: the header has no column '{column}'; a pair file to score needs path_A, path_B and prompt.");
            }
        }

        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(csv))!;
        var videos = new Dictionary<string, VideoToScore>(StringComparer.Ordinal);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != header.Count)
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{csv}:{record.Line}: {record.Fields.Count} fields, but the header has {header.Count}.");
            }

            string Field(string column) => header.IndexOf(column) is var i and >= 0 ? record.Fields[i] : string.Empty;
            foreach (var side in new[] { "A", "B" })
            {
                var path = Field("path_" + side);
                if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
                {
                    throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{csv}:{record.Line}: column path_{side} names no video file.");
                }

                var file = RewardBench.VideoKey(path, folder);
                videos.TryAdd(file, new VideoToScore(Relative(file, folder), file, Field("prompt"), Field(side + "_model"), Field("fps_" + side), Field("num_frames_" + side)));
            }
        }

        return videos.Values.OrderBy(v => v.Path, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every video file directly in <paramref name="folder"/> (.mp4 and the other containers ffmpeg reads, .npy), sorted by name, each with <paramref name="prompt"/>.</summary>
    public static IReadOnlyList<VideoToScore> FromFolder(string folder, string prompt)
    {
        var full = System.IO.Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(full).Where(VideoFileReader.CanRead).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ScoreInputInvalid, $"{folder}: the folder holds no video file (.mp4, .webm, .mov, .mkv, .avi, .gif or .npy).");
        }

        return files.Select(f => new VideoToScore(Relative(f, full), f, prompt, string.Empty, string.Empty, string.Empty)).ToArray();
    }

    /// <summary>
    /// Decodes each video at the model's shape (<paramref name="fps"/> frames per second, as <see cref="VideoSampling"/>
    /// samples pair files) and scores it. Returns the score columns' names and one row of scores per video.
    /// </summary>
    public static (IReadOnlyList<string> Columns, float[][] Rows) Score(VideoRewardModel model, IReadOnlyList<VideoToScore> videos, double fps)
    {
        var sampling = new VideoSampling(model.Shape.Frames, model.Shape.Height, model.Shape.Width, fps);
        var decoded = new Video[videos.Count];
        var failures = new PipelineException?[videos.Count];
        Parallel.For(0, videos.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            try
            {
                decoded[i] = VideoFileReader.Read(videos[i].File, sampling);
            }
            catch (PipelineException error)
            {
                failures[i] = error;
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }

        var raw = model.ScoreRaw(decoded, videos.Select(v => v.Prompt).ToArray());
        var scores = model.Normalization is null ? raw : model.ToNormalized(raw);
        var names = model.Dimensions.Concat(model.Normalization is null ? [] : ["Overall"]).Select(d => "reward_" + d).ToArray();
        var rows = Enumerable.Range(0, videos.Count).Select(i => Enumerable.Range(0, names.Length).Select(d => scores[i, d]).ToArray()).ToArray();
        return (names, rows);
    }

    /// <summary>Whether a model reads the prompt for some dimension (under separate tokens, every dimension but VQ and MQ).</summary>
    public static bool ReadsPrompt(VideoRewardModel model) =>
        model.Tokens == RewardTokenMode.Shared || model.Dimensions.Any(d => !VideoRewardNetwork.IsContextAgnostic(d));

    /// <summary>The score file's text: the header and one line per video, scores in the shortest form that reads back exactly.</summary>
    public static string ToCsv(IReadOnlyList<VideoToScore> videos, IReadOnlyList<string> columns, float[][] rows)
    {
        var lines = new List<string> { CsvRecords.Format(LeadingColumns.Concat(columns)) };
        for (var i = 0; i < videos.Count; i++)
        {
            var v = videos[i];
            lines.Add(CsvRecords.Format(new[] { v.Path, v.Model, v.Prompt, v.Fps, v.NumFrames }.Concat(rows[i].Select(s => s.ToString("R", CultureInfo.InvariantCulture)))));
        }

        return string.Join('\n', lines) + "\n";
    }

    private static string Relative(string file, string folder) => System.IO.Path.GetRelativePath(folder, file).Replace(System.IO.Path.DirectorySeparatorChar, '/');
}

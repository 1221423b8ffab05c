using System.Globalization;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds.SyntheticVideos;

namespace Pipeline.Runtime.Kinds.PreferencePairs;

/// <summary>Options of <c>preference_pairs</c>; defaults and documentation are in the catalogue.</summary>
public sealed record PreferencePairsOptions : StageOptions
{
    /// <summary><c>world.pairs(count: N)</c> or the path of a CSV/JSONL pair file.</summary>
    public required PairSource Source { get; set; }

    /// <summary>The kept dimensions.</summary>
    public required IReadOnlyList<PreferenceDimension> Dimensions { get; set; }

    public required TieHandling Ties { get; set; }

    /// <summary><c>split = { train: …, eval: … }</c>.</summary>
    public required SplitOptions Split { get; set; }

    /// <summary>Frames each file video is resampled to (world pairs keep the world's shape).</summary>
    public required int Frames { get; set; }

    /// <summary>[H, W] each file video is area-resized to.</summary>
    public required IReadOnlyList<int> Resolution { get; set; }

    /// <summary>Temporal sampling rate for file videos.</summary>
    public required double Fps { get; set; }

    /// <summary>Stop (absent: the run stops before training, listing every bad video) or skip (their pairs are left out).</summary>
    public BadVideoHandling? OnBadVideo { get; set; }

    /// <summary>The train/eval fractions.</summary>
    public sealed record SplitOptions
    {
        public required double Train { get; set; }

        public required double Eval { get; set; }
    }
}

/// <summary>What <c>on_bad_video</c> says to do with a file video that cannot be read.</summary>
public enum BadVideoHandling
{
    /// <summary>The run stops before training, listing every such video.</summary>
    Stop,

    /// <summary>The pairs that use it are left out, and counted.</summary>
    Skip,
}

/// <summary>
/// <c>preference_pairs</c>: labelled pairs from the world (<c>world.pairs(count: N)</c>) or from a CSV/JSONL file in the
/// VideoGen-RewardBench columns, with the tie policy applied and a prompt-disjoint train/eval split shuffled with the
/// experiment seed. Its metrics: pair counts, the tie rate per dimension, for world pairs the label statistics
/// (the oracle's accuracy with and without ties, the ceiling a reward model can reach), and for a file its videos
/// (<see cref="ReportVideos"/>). A file's videos go through the run's decoded-video store: a rerun decodes only what
/// changed.
/// </summary>
public static class PreferencePairsStage
{
    public static StageOutput Run(StageContext context, string name, PreferencePairsOptions options)
    {
        var dimensions = options.Dimensions.ToArray();

        var skipBadVideos = options.OnBadVideo == BadVideoHandling.Skip;

        PreferencePairSet loaded;
        PairFileLoad? file = null;
        IReadOnlyList<DimensionLabelStatistics>? statistics = null;
        try
        {
            if (options.Source.World is { } world)
            {
                loaded = PreferencePairSet.FromWorld(world.World.Synthetic, world.Pairs, dimensions);
                statistics = LabelStatistics.Compute(world.Pairs, dimensions);
            }
            else
            {
                // The catalogue's resolution is a list of exactly two sizes, so [H, W] is all there is.
                var settings = new PairFileSettings(context.VideoStoreRoot, Progress: StageProgress.Work(context, name, "new or changed videos"), SkipBadVideos: skipBadVideos);
                file = PairFileReader.Load(context.ResolvePath(options.Source.Path!), dimensions,
                    new VideoSampling(options.Frames, options.Resolution[0], options.Resolution[1], options.Fps), settings);
                loaded = file.Pairs;
            }
        }
        catch (PipelineException error) when (error.Stage is null)
        {
            throw RuntimeErrors.InStage(error, name);
        }

        var kept = loaded.WithTies(options.Ties);
        PreferencePairSplit split;
        try
        {
            split = kept.Split(options.Split.Train, options.Split.Eval, context.Seed);
        }
        catch (PipelineException error)
        {
            throw RuntimeErrors.InStage(error, name);
        }

        var output = new StageOutput(name, "preference_pairs", new PreferencePairs(kept, split.Train, split.Eval));
        output.Metrics["pairs"] = kept.Count;
        output.Metrics["dropped_ties"] = loaded.Count - kept.Count;
        output.Metrics["train_pairs"] = split.Train.Count;
        output.Metrics["eval_pairs"] = split.Eval.Count;
        output.Metrics["video_shape"] = kept.Shape.ToString();
        var tieRates = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var dimension in dimensions)
        {
            tieRates[dimension.ToString()] = loaded.Count == 0 ? null : Math.Round(loaded.Pairs.Count(p => p.Labels[dimension] == PreferenceLabel.Tie) / (double)loaded.Count, 6);
        }

        output.Metrics["tie_rate"] = tieRates;
        if (file is not null)
        {
            ReportVideos(context, name, output, file);
        }

        if (statistics is not null)
        {
            output.Metrics["oracle_version"] = Oracle.Version;
            var oracle = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var s in statistics)
            {
                oracle[s.Dimension.ToString()] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["with_ties"] = Math.Round(s.OracleAccuracyWithTies, 6),
                    ["without_ties"] = Math.Round(s.OracleAccuracyWithoutTies, 6),
                };
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {s.Dimension}: tie rate {s.TieRate:P1}, oracle accuracy without ties {s.OracleAccuracyWithoutTies:P1}, with ties {s.OracleAccuracyWithTies:P1}"));
            }

            output.Metrics["oracle_label_accuracy"] = oracle;
        }

        context.Log($"{name}: {kept.Count} pairs ({split.Train.Count} train, {split.Eval.Count} eval), videos {kept.Shape}");
        return output;
    }

    /// <summary>Videos listed in results.json when some were skipped; the rest are counted.</summary>
    private const int ListedBadVideos = 100;

    /// <summary>
    /// A pair file's videos: how many were decoded in this run (<c>videos_decoded</c>, 0 when the decoded-video store
    /// had them all; it may differ between two identical runs), how many were read from the store, and, with
    /// <c>on_bad_video = skip</c>, the videos and pairs left out, each video with its reason.
    /// </summary>
    private static void ReportVideos(StageContext context, string name, StageOutput output, PairFileLoad file)
    {
        var videos = file.Videos;
        output.DataFingerprint = videos.Fingerprint;
        output.Metrics["videos"] = videos.Videos.Count;
        output.Metrics["videos_decoded"] = videos.Decoded;
        if (videos.StoreProblem is { } problem)
        {
            context.Log($"{name}: the decoded-video store could not be used ({problem}); it was rebuilt");
        }

        if (videos.Bad.Count > 0)
        {
            output.Metrics["skipped_videos"] = videos.Bad.Count;
            output.Metrics["skipped_pairs"] = file.SkippedPairs;
            var listed = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var bad in videos.Bad.Take(ListedBadVideos))
            {
                listed[bad.Path] = $"{bad.Code}: {bad.Reason}";
            }

            output.Metrics["bad_videos"] = listed;
            context.Log($"{name}: skipped {videos.Bad.Count} videos that cannot be read and the {file.SkippedPairs} pairs that use them (on_bad_video = skip), e.g. {videos.Bad[0].Reason}");
        }

        var reused = videos.Videos.Count - videos.Decoded - videos.Arrays;
        context.Log($"{name}: {videos.Decoded} videos decoded, {reused} from the decoded-video store{(videos.Arrays > 0 ? $", {videos.Arrays} .npy arrays read" : string.Empty)}");
    }
}

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

    /// <summary>The train/eval fractions.</summary>
    public sealed record SplitOptions
    {
        public required double Train { get; set; }

        public required double Eval { get; set; }
    }
}

/// <summary>
/// <c>preference_pairs</c>: labelled pairs from the world (<c>world.pairs(count: N)</c>) or from a CSV/JSONL file in the
/// VideoGen-RewardBench columns, with the tie policy applied and a prompt-disjoint train/eval split shuffled with the
/// experiment seed. Its metrics: pair counts, the tie rate per dimension, and for world pairs the label statistics
/// (the oracle's accuracy with and without ties, the ceiling a reward model can reach).
/// </summary>
public static class PreferencePairsStage
{
    public static StageOutput Run(StageContext context, string name, PreferencePairsOptions options)
    {
        var dimensions = options.Dimensions.ToArray();

        PreferencePairSet loaded;
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
                loaded = PairFileReader.Read(context.ResolvePath(options.Source.Path!), dimensions,
                    new VideoSampling(options.Frames, options.Resolution[0], options.Resolution[1], options.Fps));
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
}

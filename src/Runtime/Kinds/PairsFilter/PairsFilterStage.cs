using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Kinds.PairsFilter;

/// <summary>Options of <c>pairs_filter</c>; defaults and documentation are in the catalogue.</summary>
public sealed record PairsFilterOptions : StageOptions
{
    /// <summary>A preference_pairs or pairs_filter stage's pairs, with their split.</summary>
    public required PreferencePairs.PreferencePairs Pairs { get; set; }

    public required PairCondition Keep { get; set; }

    /// <summary>The dimensions whose labels the condition reads.</summary>
    public required IReadOnlyList<PreferenceDimension> Dimensions { get; set; }
}

/// <summary>
/// <c>pairs_filter</c>: the pairs of another data stage whose labels meet a condition (<see cref="PairCondition"/>),
/// each of its train and eval splits filtered on its own, so evaluation prompts stay out of training. Its metrics: the
/// pairs kept in all and per split, and the pairs dropped.
/// </summary>
public static class PairsFilterStage
{
    public static StageOutput Run(StageContext context, string name, PairsFilterOptions options)
    {
        var source = options.Pairs;
        PreferencePairSet Filter(PreferencePairSet pairs) =>
            new(pairs.Shape, pairs.Dimensions, pairs.ExtraColumns, pairs.Pairs.Where(p => options.Keep.Keeps(p, options.Dimensions)).ToArray());

        var kept = new PreferencePairs.PreferencePairs(Filter(source.All), Filter(source.Train), Filter(source.Eval));
        var output = new StageOutput(name, "pairs_filter", kept);
        output.Metrics["pairs"] = kept.All.Count;
        output.Metrics["train_pairs"] = kept.Train.Count;
        output.Metrics["eval_pairs"] = kept.Eval.Count;
        output.Metrics["dropped"] = source.All.Count - kept.All.Count;
        context.Log($"{name}: kept {kept.All.Count} of {source.All.Count} pairs ({kept.Train.Count} train, {kept.Eval.Count} eval)");
        return output;
    }
}

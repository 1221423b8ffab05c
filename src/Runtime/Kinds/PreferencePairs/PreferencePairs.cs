using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Kinds.PreferencePairs;

/// <summary>
/// The PreferencePairs artifact of a <c>preference_pairs</c> stage: every kept pair and its train/eval split, with
/// the members the language reaches by a dot (<c>prefs.train</c>, <c>prefs.eval</c>, <c>prefs.winners</c>;
/// <c>prefs.train.winners</c> is <see cref="PreferencePairSet.Winners"/>).
/// </summary>
public sealed class PreferencePairs(PreferencePairSet all, PreferencePairSet train, PreferencePairSet eval)
{
    /// <summary>Every kept pair (after the tie policy), in source order.</summary>
    public PreferencePairSet All { get; } = all;

    /// <summary>The training split.</summary>
    public PreferencePairSet Train { get; } = train;

    /// <summary>The evaluation split; its prompts never occur in <see cref="Train"/>.</summary>
    public PreferencePairSet Eval { get; } = eval;

    /// <summary>
    /// The catalogue gives a <c>preference_pairs</c> stage and its splits one type, so <c>train = prefs</c> is as valid
    /// as <c>train = prefs.train</c>: the whole stage stands for all of its pairs.
    /// </summary>
    public static implicit operator PreferencePairSet(PreferencePairs pairs) => pairs.All;

    /// <summary>The preferred video of each pair of <see cref="All"/> (see <see cref="PreferencePairSet.Winners"/>).</summary>
    public VideoSet Winners(IReadOnlyList<PreferenceDimension>? dimensions = null) => All.Winners(dimensions);

    /// <summary><c>prefs.relabel(reward, ...)</c>: every pair of <see cref="All"/> relabelled (see <see cref="PreferencePairSet.Relabel"/>).</summary>
    public PreferencePairSet Relabel(IVideoJudge reward, string[]? dimensions = null) => All.Relabel(reward, dimensions);
}

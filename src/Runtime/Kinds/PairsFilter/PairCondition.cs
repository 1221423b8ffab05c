using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Kinds.PairsFilter;

/// <summary>Which pairs a <c>pairs_filter</c> stage keeps (the catalogue's <c>keep</c>), judged on the labels of its dimensions.</summary>
public enum PairCondition
{
    /// <summary>The labels vote for a winner (<see cref="PreferenceVote"/>): the pairs DPO and SFT learn from.</summary>
    Decided,

    /// <summary>Every dimension prefers the same video: no tie, no disagreement.</summary>
    Unanimous,

    /// <summary>No dimension is a tie (the dimensions may disagree).</summary>
    Untied,
}

/// <summary>The test of a <see cref="PairCondition"/> on one pair.</summary>
public static class PairConditions
{
    /// <summary>Whether <paramref name="pair"/> meets the condition on <paramref name="dimensions"/>; a label the pair lacks counts as a tie, as in the vote.</summary>
    public static bool Keeps(this PairCondition condition, PreferencePair pair, IReadOnlyList<PreferenceDimension> dimensions)
    {
        var labels = dimensions.Select(d => (int)pair.Labels.GetValueOrDefault(d, PreferenceLabel.Tie)).ToArray();
        return condition switch
        {
            PairCondition.Decided => PreferenceVote.Of(labels) != 0,
            PairCondition.Unanimous => labels.All(label => label == labels[0]) && labels[0] != 0,
            PairCondition.Untied => labels.All(label => label != 0),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "no such condition"),
        };
    }
}

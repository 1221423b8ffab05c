using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds.PairsFilter;
using Pipeline.Runtime.Kinds.PreferencePairs;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Data;

/// <summary>
/// <c>pairs_filter</c> on hand-labelled pairs, whose kept sets are counted by hand: each split is filtered on its own,
/// and each condition reads only the stage's dimensions.
/// </summary>
public sealed class PairsFilterStageTests
{
    // Labels (VQ, MQ, TA) of the six pairs, by hand: vote, unanimous, untied.
    private static readonly (string Prompt, PreferenceLabel VQ, PreferenceLabel MQ, PreferenceLabel TA)[] Labels =
    [
        ("p0", PreferenceLabel.A, PreferenceLabel.A, PreferenceLabel.A),       // +3, unanimous, untied
        ("p1", PreferenceLabel.A, PreferenceLabel.B, PreferenceLabel.A),       // +1, split, untied
        ("p2", PreferenceLabel.A, PreferenceLabel.B, PreferenceLabel.Tie),     //  0, no winner, tied
        ("p3", PreferenceLabel.Tie, PreferenceLabel.Tie, PreferenceLabel.Tie), //  0, all ties
        ("p4", PreferenceLabel.B, PreferenceLabel.Tie, PreferenceLabel.B),     // −2, tied
        ("p5", PreferenceLabel.B, PreferenceLabel.B, PreferenceLabel.B),       // −3, unanimous, untied
    ];

    [Theory]
    [InlineData(PairCondition.Decided, new[] { "p0", "p1", "p4", "p5" })]
    [InlineData(PairCondition.Unanimous, new[] { "p0", "p5" })]
    [InlineData(PairCondition.Untied, new[] { "p0", "p1", "p5" })]
    public void Each_condition_keeps_the_pairs_counted_by_hand_in_each_split(PairCondition keep, string[] expected)
    {
        var output = Run(keep, [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA]);

        var kept = Assert.IsType<PreferencePairs>(output.Artifact);
        Assert.Equal(expected, kept.All.Pairs.Select(p => p.Prompt));
        Assert.Equal(expected.Where(p => p is "p0" or "p1" or "p2" or "p3"), kept.Train.Pairs.Select(p => p.Prompt));
        Assert.Equal(expected.Where(p => p is "p4" or "p5"), kept.Eval.Pairs.Select(p => p.Prompt));
        Assert.Equal((expected.Length, 6 - expected.Length), ((int)output.Metrics["pairs"]!, (int)output.Metrics["dropped"]!));
        Assert.Equal(kept.Train.Count + kept.Eval.Count, kept.All.Count);
    }

    [Fact]
    public void The_condition_reads_only_the_stages_dimensions()
    {
        // On MQ and TA alone: p0 and p5 agree, p1 and p2 disagree or tie, p3 and p4 have a tie.
        var output = Run(PairCondition.Unanimous, [PreferenceDimension.MQ, PreferenceDimension.TA]);

        Assert.Equal(["p0", "p5"], ((PreferencePairs)output.Artifact).All.Pairs.Select(p => p.Prompt));
        Assert.Equal(["p0", "p1", "p4", "p5"], ((PreferencePairs)Run(PairCondition.Decided, [PreferenceDimension.TA]).Artifact).All.Pairs.Select(p => p.Prompt));
    }

    private static Kinds.StageOutput Run(PairCondition keep, PreferenceDimension[] dimensions)
    {
        var shape = new VideoShape(3, 2, 8, 8);
        var pairs = Labels.Select(l => new PreferencePair(
            l.Prompt,
            new DecodedVideo(l.Prompt + "a.npy", new Video(shape, new float[shape.Length])),
            new DecodedVideo(l.Prompt + "b.npy", new Video(shape, new float[shape.Length])),
            new Dictionary<PreferenceDimension, PreferenceLabel> { [PreferenceDimension.VQ] = l.VQ, [PreferenceDimension.MQ] = l.MQ, [PreferenceDimension.TA] = l.TA },
            new Dictionary<string, string>(),
            "hand")).ToArray();
        PreferencePairSet Set(IEnumerable<PreferencePair> subset) =>
            new(shape, [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA], [], subset.ToArray());

        var source = new PreferencePairs(Set(pairs), Set(pairs.Take(4)), Set(pairs.Skip(4)));
        var folder = Path.GetTempPath();
        var context = new RunContext(new ExperimentInfo("test", "0", string.Empty, "test", "test", 7, "cpu", Array.Empty<StageInfo>()), folder, folder, _ => { });
        return PairsFilterStage.Run(context, "kept", KindDefaults.Of<PairsFilterOptions>() with { Pairs = source, Keep = keep, Dimensions = dimensions });
    }
}

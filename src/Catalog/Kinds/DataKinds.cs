using Pipeline.Catalog.Checks;
using static Pipeline.Catalog.Types;

namespace Pipeline.Catalog.Kinds;

internal static class DataKinds
{
    public static readonly StageKind SyntheticVideos = new(
        "synthetic_videos",
        StageRole.Data,
        ArtifactType.World,
        "The built-in procedural video world: prompts, K generators of different quality, and an oracle judge.",
        new[]
        {
            P("prompts", Count(1, 767), 256L, "Number of training prompts; prompts + eval_prompts is at most 768, the distinct prompts the vocabulary makes."),
            P("eval_prompts", Count(1, 767), 64L, "Number of held-out evaluation prompts, disjoint from the training prompts."),
            P("frames", Count(2, 64), 8L, "Frames per video."),
            P("resolution", Shape(2, 8, 256), List(16L, 16L), "Frame size [H, W] in pixels; at least 8 so shapes are drawable."),
            P("generators", Count(2, 32), 6L, "Number of procedural generators of different quality (the paper has 12)."),
            P("samples", Count(1, 1000), 1L, "Videos each generator renders per prompt."),
            P("annotator_noise", NonNegative, 0.5, "Standard deviation of the simulated annotator's noise on z-normalised oracle differences."),
            P("tie_threshold", NonNegative, 0.4, "The annotator answers 'tie' when its noisy difference is below this."),
        })
    {
        Shape = new ShapeRule { Dimensions = new Always(DimensionNames.Rated), Frames = new FromProperty("frames"), Resolution = new FromProperty("resolution") },
        Checks = [new ReadByAnotherStage()],
    };

    /// <summary>The runtime artifact of a preference_pairs stage: every kept pair and its train/eval split.</summary>
    public static readonly RuntimeType PairsWithSplit = KindType("PreferencePairs.PreferencePairs");

    public static readonly StageKind PreferencePairs = new(
        "preference_pairs",
        StageRole.Data,
        ArtifactType.PreferencePairs,
        "Pairwise preference labels (A, B or tie per dimension) from the world or from a CSV/JSONL file.",
        new[]
        {
            PropertyDefinition.Require(
                "source",
                new UnionType(new PropertyType[] { new ReferenceType(ArtifactType.PairSource), new PathType(new[] { ".csv", ".jsonl" }) }, Runtime: KindType("PreferencePairs.PairSource")),
                "Where pairs come from: world.pairs(count: N), or a CSV/JSONL file in the VideoGen-RewardBench columns."),
            P("dimensions", Dimensions, AllDimensions, "The label dimensions kept."),
            P("ties", new EnumType(new[] { "keep", "drop" }, RuntimeType.Named("Pipeline.Runtime.Data.Pairs.TieHandling")), "keep", "Keep tied pairs, or drop a pair when all its kept dimensions are ties."),
            P("split", new RecordType(new[]
            {
                P("train", Fraction, 0.9, "Fraction of pairs for training."),
                P("eval", Fraction, 0.1, "Fraction of pairs held out for evaluation."),
            }, KindType("PreferencePairs.PreferencePairsOptions+SplitOptions")), Map(("train", 0.9), ("eval", 0.1)), "Train/eval split; the fractions sum to 1."),
            P("frames", Count(2, 64), 8L, "Frames each file video is resampled to."),
            P("resolution", Shape(2, 4, 256), List(16L, 16L), "Frame size [H, W] each file video is resized to (area resize)."),
            P("fps", Positive, 2.0, "Uniform temporal sampling rate for file videos, as the paper's 2 fps."),
            PropertyDefinition.Optional(
                "on_bad_video",
                new EnumType(new[] { "stop", "skip" }, KindType("PreferencePairs.BadVideoHandling")),
                "A file video that cannot be read: stop (absent: the run stops before training, listing every such video) or skip (its pairs are left out, counted in results.json)."),
        })
    {
        Artifact = PairsWithSplit,
        Shape = new ShapeRule { Dimensions = new FromProperty("dimensions"), Ties = new FromProperty("ties"), Frames = new FromInput("source"), Resolution = new FromInput("source") },
        Checks = [new SumsToOne("split"), new PairFileColumnsPresent("source", "dimensions")],
    };

    public static readonly StageKind PairsFilter = new(
        "pairs_filter",
        StageRole.Data,
        ArtifactType.PreferencePairs,
        "The preference pairs of a preference_pairs stage whose labels meet a condition, in the same train/eval split (each split filtered on its own).",
        new[]
        {
            PropertyDefinition.Require("pairs", new ReferenceType(ArtifactType.PreferencePairs) { WholeStage = true, Runtime = PairsWithSplit }, "The pairs to filter: a preference_pairs or pairs_filter stage, e.g. prefs."),
            PropertyDefinition.Require("keep", new EnumType(new[] { "decided", "unanimous", "untied" }, KindType("PairsFilter.PairCondition")), "Which pairs are kept: decided (the labels of the dimensions vote for a winner, the pairs DPO and SFT learn from), unanimous (every dimension prefers the same video) or untied (no dimension is a tie)."),
            P("dimensions", Dimensions, AllDimensions, "The dimensions whose labels the condition reads; each must be labelled by the pairs."),
        })
    {
        Artifact = PairsWithSplit,
        Shape = new ShapeRule { Dimensions = new FromInput("pairs"), Ties = new FromInput("pairs"), Frames = new FromInput("pairs"), Resolution = new FromInput("pairs") },
        Checks = [new DimensionsWithin("dimensions", "pairs")],
    };
}

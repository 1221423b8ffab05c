using Pipeline.Catalog.Checks;
using Pipeline.Catalog.Kinds;
using static Pipeline.Catalog.Types;

namespace Pipeline.Catalog;

/// <summary>The vocabulary of the language: every stage kind, the members of what they produce, and the experiment-level properties.</summary>
public static class StageCatalog
{
    public static IReadOnlyList<StageKind> Kinds { get; } = new[]
    {
        DataKinds.SyntheticVideos,
        DataKinds.PreferencePairs,
        DataKinds.PairsFilter,
        ModelKinds.Autoencoder,
        ModelKinds.FlowGenerator,
        RewardKinds.VideoReward,
        RewardKinds.LatentReward,
        AlignKinds.FlowSft,
        AlignKinds.FlowRwr,
        AlignKinds.FlowDpo,
        AlignKinds.FlowNrg,
        AlignKinds.ClassifierFree,
        EvaluateKinds.WinRates,
    };

    /// <summary>Properties written at experiment level: <c>seed</c>, <c>device</c> and <c>replicates</c>.</summary>
    public static IReadOnlyList<PropertyDefinition> ExperimentProperties { get; } = new[]
    {
        P("seed", new IntegerType(0, int.MaxValue), 0L, "Seed of every random choice; CPU runs with the same seed are identical."),
        P("device", new UnionType(new PropertyType[] { new EnumType(new[] { "auto", "cpu", "cuda" }), new StringType() }, "auto | cpu | cuda | \"cuda:N\""), "auto", "Where torch runs: auto takes the first CUDA device when there is one, else the CPU; \"cuda:N\" takes CUDA device N."),
        P("replicates", new IntegerType(1, MaxReplicates), 1L, "Runs of the whole experiment, one per seed: seed, seed + 1, ..., seed + N - 1 (docs/statistics.md). Enters no stage hash: a replicate's stages are those of a run with its seed."),
    };

    /// <summary>The most replicates an experiment may ask for.</summary>
    public const long MaxReplicates = 1000;

    public static IReadOnlyList<MemberInfo> Members { get; } = new[]
    {
        new MemberInfo(ArtifactType.World, "videos", ArtifactType.Videos, Array.Empty<PropertyDefinition>(), "The world's videos from all its generators."),
        new MemberInfo(ArtifactType.World, "pairs", ArtifactType.PairSource, new[] { PropertyDefinition.Require("count", Count(1, 10_000_000), "Number of labelled pairs to draw.") }, "Labelled pairs of videos from different generators."),
        new MemberInfo(ArtifactType.World, "prompts", ArtifactType.Prompts, Array.Empty<PropertyDefinition>(), "The training prompts.") { CountedBy = "prompts" },
        new MemberInfo(ArtifactType.World, "eval_prompts", ArtifactType.Prompts, Array.Empty<PropertyDefinition>(), "The held-out evaluation prompts.") { CountedBy = "eval_prompts" },
        new MemberInfo(ArtifactType.World, "oracle", ArtifactType.Judge, Array.Empty<PropertyDefinition>(), "The oracle judge: true VQ, MQ and TA scores."),
        new MemberInfo(ArtifactType.World, "best", ArtifactType.Generator, Array.Empty<PropertyDefinition>(), "The world's best procedural generator, as a reference method."),
        new MemberInfo(ArtifactType.World, "worst", ArtifactType.Generator, Array.Empty<PropertyDefinition>(), "The world's worst procedural generator, as a reference method."),
        new MemberInfo(ArtifactType.PreferencePairs, "train", ArtifactType.PreferencePairs, Array.Empty<PropertyDefinition>(), "The training split."),
        new MemberInfo(ArtifactType.PreferencePairs, "eval", ArtifactType.PreferencePairs, Array.Empty<PropertyDefinition>(), "The evaluation split."),
        new MemberInfo(ArtifactType.PreferencePairs, "winners", ArtifactType.Videos, Array.Empty<PropertyDefinition>(), "The preferred video of each pair (mean over dimensions; ties dropped)."),
        new MemberInfo(ArtifactType.PreferencePairs, "relabel", ArtifactType.PreferencePairs, new[]
        {
            PropertyDefinition.Require("reward", new ReferenceType(ArtifactType.RewardModel), "The reward stage that relabels."),
            P("dimensions", Dimensions, AllDimensions, "Relabel by the mean of these dimensions (the paper: all three; TA only for Table 4)."),
        }, "The same pairs relabelled by a reward model: the winner has the higher mean reward.")
        {
            Checks = [new DimensionsWithin("dimensions", "reward")],
        },
    };

    public static StageKind? FindKind(string name) => Kinds.FirstOrDefault(k => k.Name == name);

    public static MemberInfo? FindMember(ArtifactType owner, string name) => Members.FirstOrDefault(m => m.Owner == owner && m.Name == name);
}

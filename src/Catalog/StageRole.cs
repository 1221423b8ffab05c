namespace Pipeline.Catalog;

/// <summary>The role keyword a stage is declared with: <c>ROLE NAME = KIND { ... }</c>.</summary>
public enum StageRole
{
    Data,
    Model,
    Reward,
    Align,
    Guide,
    Evaluate,
}

/// <summary>The role keywords as written in experiment files.</summary>
public static class RoleKeywords
{
    public static IReadOnlyDictionary<string, StageRole> ByKeyword { get; } = new Dictionary<string, StageRole>(StringComparer.Ordinal)
    {
        ["data"] = StageRole.Data,
        ["model"] = StageRole.Model,
        ["reward"] = StageRole.Reward,
        ["align"] = StageRole.Align,
        ["guide"] = StageRole.Guide,
        ["evaluate"] = StageRole.Evaluate,
    };

    public static string Keyword(StageRole role) => ByKeyword.Single(pair => pair.Value == role).Key;
}

/// <summary>
/// The runtime's catalogs off <c>MLContext</c>, one per role (ML.NET's <c>mlContext.Transforms</c>):
/// <c>mlContext.Alignment().FlowDpo(options)</c> makes the estimator of a kind that trains. The compiler calls the
/// catalog of a stage's role by this name.
/// </summary>
public static class RoleCatalogs
{
    public static string Accessor(StageRole role) => role switch
    {
        StageRole.Data => "Datasets",
        StageRole.Model => "Models",
        StageRole.Reward => "Rewards",
        StageRole.Align => "Alignment",
        StageRole.Guide => "Guidance",
        StageRole.Evaluate => "Evaluation",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "no catalog for this role"),
    };
}

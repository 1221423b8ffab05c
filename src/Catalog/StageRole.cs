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

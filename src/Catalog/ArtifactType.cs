namespace Pipeline.Catalog;

/// <summary>
/// What a stage, or a member of a stage's output, produces. Type parameters such as PreferencePairs⟨dims, ties⟩ are
/// tracked by the compiler's binder; the catalogue names only the kind of thing.
/// </summary>
public enum ArtifactType
{
    World,
    Videos,
    Prompts,
    Judge,
    PairSource,
    PreferencePairs,
    Autoencoder,
    Generator,
    RewardModel,
    LatentRewardModel,
    Report,
}

/// <summary>How artifact types read in documentation and messages.</summary>
public static class ArtifactTypeText
{
    /// <summary>"a World", "an Autoencoder", and a plural name as it is: "Videos", "PreferencePairs".</summary>
    public static string WithArticle(this ArtifactType type)
    {
        var name = type.ToString();
        return name.EndsWith('s') ? name : ("AEIOU".Contains(name[0], StringComparison.Ordinal) ? "an " : "a ") + name;
    }
}

/// <summary>A member of an artifact reachable with a dot: <c>world.videos</c>, <c>world.pairs(count: 4096)</c>.</summary>
/// <param name="Owner">The artifact the member belongs to.</param>
/// <param name="Name">The member as written in experiment files.</param>
/// <param name="Result">What the member gives.</param>
/// <param name="Parameters">Call parameters; empty for a plain member.</param>
/// <param name="Doc">One line of documentation.</param>
public sealed record MemberInfo(ArtifactType Owner, string Name, ArtifactType Result, IReadOnlyList<PropertyDefinition> Parameters, string Doc)
{
    public bool IsCall => Parameters.Count > 0;

    /// <summary>The owning stage's property that counts what the member gives (<c>world.eval_prompts</c>: the world's <c>eval_prompts</c>); null when unknown.</summary>
    public string? CountedBy { get; init; }

    /// <summary>The checks of a call of the member, on its arguments (<c>relabel</c>: the dimensions are the reward's).</summary>
    public IReadOnlyList<Checks.StageCheck> Checks { get; init; } = [];
}

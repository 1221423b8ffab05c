using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>A property of a stage after binding: written (<see cref="IsDefault"/> false) or the catalogue default.</summary>
// SourcePath: The file (or <c>--set</c> text) the value was written in; null for defaults.
public sealed record BoundProperty(PropertyDefinition Definition, BoundValue Value, bool IsDefault, TextSpan Span, string? SourcePath)
{
    public string Name => Definition.Name;
}

/// <summary>
/// The type of what a stage produces, with the parameters the checks need (the catalogue's <c>ShapeRule</c>):
/// PreferencePairs⟨dims, ties⟩, RewardModel⟨dims⟩, LatentRewardModel⟨dims, noisy⟩, the frames and resolution of
/// videos, and how many prompts a prompt set holds. Null (or empty dimensions) is unknown.
/// </summary>
public sealed record ArtifactShape(ArtifactType Type, ImmutableArray<string> Dimensions, string? Ties = null, bool? Noisy = null)
{
    public long? Frames { get; init; }

    public ImmutableArray<long>? Resolution { get; init; }

    public long? Count { get; init; }

    public override string ToString()
    {
        var dims = string.Join(" ", Dimensions);
        return Type switch
        {
            ArtifactType.PreferencePairs => $"PreferencePairs⟨{dims}, {Ties}⟩",
            ArtifactType.RewardModel => $"RewardModel⟨{dims}⟩",
            ArtifactType.LatentRewardModel => $"LatentRewardModel⟨{dims}, {(Noisy == true ? "noisy" : "clean")}⟩",
            _ => Type.ToString(),
        };
    }
}

/// <summary>One stage: declared at experiment level, or written inline inside another (then named <c>parent.property</c>).</summary>
public sealed class StageSymbol
{
    internal StageSymbol(string name, StageRole role, StageKind kind, TextSpan span, TextSpan nameSpan, string sourcePath, string? parent)
    {
        Name = name;
        Role = role;
        Kind = kind;
        Span = span;
        NameSpan = nameSpan;
        SourcePath = sourcePath;
        Parent = parent;
    }

    public string Name { get; }

    public StageRole Role { get; }

    public StageKind Kind { get; }

    /// <summary>The whole declaration (or inline stage value).</summary>
    public TextSpan Span { get; }

    public TextSpan NameSpan { get; }

    public string SourcePath { get; }

    /// <summary>For an inline stage, the stage it is written in.</summary>
    public string? Parent { get; }

    public bool IsInline => Parent is not null;

    /// <summary>Every catalogue property, in catalogue order; optional properties without a default appear only when written.</summary>
    public ImmutableArray<BoundProperty> Properties { get; internal set; } = ImmutableArray<BoundProperty>.Empty;

    /// <summary>Names of the stages this one reads, ordinally sorted.</summary>
    public ImmutableArray<string> Dependencies { get; internal set; } = ImmutableArray<string>.Empty;

    /// <summary>The stage hash (contracts.md "Hashes and caches").</summary>
    public string Hash { get; internal set; } = string.Empty;

    /// <summary>Content hashes of the data files the stage reads, by path as written.</summary>
    public ImmutableSortedDictionary<string, string> DataFiles { get; internal set; } = ImmutableSortedDictionary<string, string>.Empty;

    public BoundProperty? Find(string property) => Properties.FirstOrDefault(p => p.Name == property);

    public override string ToString() => $"{Role.ToString().ToLowerInvariant()} {Name} = {Kind.Name}";
}

/// <summary>One sweep axis: <c>dpo.beta = sweep [100, 500, 2000]</c>.</summary>
// Path: STAGE.PROPERTY or STAGE.PROPERTY.KEY, the same paths <c>--set</c> takes.
public sealed record SweepAxis(string Path, ImmutableArray<Dsl.Syntax.ValueSyntax> Points, TextSpan Span, string SourcePath);

namespace Pipeline.Catalog;

/// <summary>
/// A type of the runtime, by name: what a property's value is in a stage's options, or what a stage produces. The
/// catalogue references no runtime assembly, so it names types; the compiler looks each name up with Roslyn in the
/// runtime's reference assemblies, checks the options against it and emits values of it (docs/contracts.md, "Typed
/// options").
/// </summary>
/// <param name="MetadataName">The CLR metadata name: <c>System.Int32</c>, <c>Pipeline.Runtime.Kinds.FlowDpo.DpoBeta</c>,
/// a nested type with <c>+</c>, a generic definition with its arity (<c>System.Collections.Generic.IReadOnlyList`1</c>).</param>
/// <param name="Arguments">The type arguments of a generic type; empty otherwise.</param>
public sealed record RuntimeType(string MetadataName, IReadOnlyList<RuntimeType> Arguments)
{
    public static readonly RuntimeType Int32 = Named("System.Int32");
    public static readonly RuntimeType Double = Named("System.Double");
    public static readonly RuntimeType Boolean = Named("System.Boolean");
    public static readonly RuntimeType String = Named("System.String");

    public static RuntimeType Named(string metadataName) => new(metadataName, []);

    /// <summary><c>IReadOnlyList&lt;T&gt;</c>: every list of the catalogue.</summary>
    public static RuntimeType ListOf(RuntimeType element) => new("System.Collections.Generic.IReadOnlyList`1", [element]);

    /// <summary><c>IReadOnlyDictionary&lt;string, T&gt;</c>: every map with enum keys of the catalogue.</summary>
    public static RuntimeType MapOf(RuntimeType value) => new("System.Collections.Generic.IReadOnlyDictionary`2", [String, value]);

    /// <summary>How the type reads in C#, without namespaces: <c>IReadOnlyList&lt;PreferenceDimension&gt;</c>, <c>DpoBeta</c>.</summary>
    public override string ToString()
    {
        var name = MetadataName[(MetadataName.LastIndexOfAny(['.', '+']) + 1)..];
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        name = tick < 0 ? name : name[..tick];
        name = name switch
        {
            "Int32" when MetadataName == Int32.MetadataName => "int",
            "Double" when MetadataName == Double.MetadataName => "double",
            "Boolean" when MetadataName == Boolean.MetadataName => "bool",
            "String" when MetadataName == String.MetadataName => "string",
            _ => name,
        };
        return Arguments.Count == 0 ? name : $"{name}<{string.Join(", ", Arguments)}>";
    }

    public bool Equals(RuntimeType? other) =>
        other is not null && MetadataName == other.MetadataName && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => Arguments.Aggregate(MetadataName.GetHashCode(StringComparison.Ordinal), (hash, argument) => HashCode.Combine(hash, argument));
}

/// <summary>The runtime types of the artifacts, as a stage's options receive them (<c>policy = base</c> is an <c>IVideoGenerator</c>).</summary>
public static class ArtifactRuntimeTypes
{
    public static RuntimeType Of(ArtifactType artifact) => artifact switch
    {
        ArtifactType.World => RuntimeType.Named("Pipeline.Runtime.Kinds.SyntheticVideos.World"),
        ArtifactType.Videos => RuntimeType.Named("Pipeline.Runtime.Core.VideoSet"),
        ArtifactType.Prompts => RuntimeType.Named("Pipeline.Runtime.Core.PromptSet"),
        ArtifactType.Judge or ArtifactType.RewardModel => RuntimeType.Named("Pipeline.Runtime.Core.IVideoJudge"),
        ArtifactType.PairSource => RuntimeType.Named("Pipeline.Runtime.Kinds.SyntheticVideos.SyntheticPairSource"),
        ArtifactType.PreferencePairs => RuntimeType.Named("Pipeline.Runtime.Data.Pairs.PreferencePairSet"),
        ArtifactType.Autoencoder => RuntimeType.Named("Pipeline.Runtime.Torch.Models.VideoAutoencoder"),
        ArtifactType.Generator => RuntimeType.Named("Pipeline.Runtime.Core.IVideoGenerator"),
        ArtifactType.LatentRewardModel => RuntimeType.Named("Pipeline.Runtime.Kinds.LatentReward.ILatentReward"),
        ArtifactType.Report => RuntimeType.Named("Pipeline.Runtime.Kinds.WinRates.WinRatesReport"),
        _ => throw new ArgumentOutOfRangeException(nameof(artifact), artifact, "no runtime type for this artifact"),
    };
}

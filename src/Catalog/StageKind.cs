using Pipeline.Catalog.Checks;

namespace Pipeline.Catalog;

/// <summary>
/// A stage kind: the role it is declared with, what it produces, its properties, and what the compiler checks of a
/// stage of the kind beyond each value's type (<see cref="Checks"/>, <see cref="Shape"/>).
/// </summary>
public sealed record StageKind(string Name, StageRole Role, ArtifactType Produces, string Doc, IReadOnlyList<PropertyDefinition> Properties)
{
    /// <summary>The runtime type of what a stage of the kind produces; the runtime type of <see cref="Produces"/> unless the kind says otherwise.</summary>
    public RuntimeType Artifact { get; init; } = ArtifactRuntimeTypes.Of(Produces);

    /// <summary>The kind's checks, run by the compiler once every stage is bound (language.md's table).</summary>
    public IReadOnlyList<StageCheck> Checks { get; init; } = [];

    /// <summary>What the checks know of the kind's artifact beyond its type: dimensions, ties, noise, video size.</summary>
    public ShapeRule Shape { get; init; } = new();

    public PropertyDefinition? FindProperty(string name) => Properties.FirstOrDefault(p => p.Name == name);
}

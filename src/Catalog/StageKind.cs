namespace Pipeline.Catalog;

/// <summary>A stage kind: the role it is declared with, what it produces, and its properties.</summary>
public sealed record StageKind(string Name, StageRole Role, ArtifactType Produces, string Doc, IReadOnlyList<PropertyDefinition> Properties)
{
    public PropertyDefinition? FindProperty(string name) => Properties.FirstOrDefault(p => p.Name == name);
}

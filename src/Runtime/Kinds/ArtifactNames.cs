namespace Pipeline.Runtime.Kinds;

/// <summary>
/// An artifact whose members can stand for themselves in results: the world's generators are methods a win_rates
/// stage compares (<c>world.best</c>). It lists them by the names the experiment file reaches them with.
/// </summary>
public interface INamedMembers
{
    /// <summary>Each member by its catalogue name (<c>best</c>), with its value.</summary>
    IEnumerable<(string Name, object Value)> NamedMembers { get; }
}

/// <summary>
/// Names artifacts the way the experiment file reaches them, for result keys: a stage's own artifact is the stage
/// name (<c>sft</c>), a member of one is <c>stage.member</c> (<c>world.best</c>). Options receive artifacts, not
/// names, so the name is found by identity among the outputs of the stages that ran and the members they name.
/// </summary>
public static class ArtifactNames
{
    public static string Find(StageContext context, object artifact, string fallback)
    {
        var outputs = context.Outputs.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        foreach (var (stage, output) in outputs)
        {
            if (ReferenceEquals(output.Artifact, artifact))
            {
                return stage;
            }
        }

        foreach (var (stage, output) in outputs)
        {
            if (output.Artifact is INamedMembers owner && owner.NamedMembers.FirstOrDefault(m => ReferenceEquals(m.Value, artifact)).Name is { } member)
            {
                return stage + "." + member;
            }
        }

        return fallback;
    }
}

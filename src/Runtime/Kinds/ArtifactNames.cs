using System.Reflection;
using Pipeline.Catalog;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// Names artifacts the way the experiment file reaches them, for result keys: a stage's own artifact is the stage
/// name (<c>sft</c>), a member of one is <c>stage.member</c> (<c>world.best</c>). Artifacts arrive in options as
/// objects, so the name is found by identity among the outputs of the stages that ran.
/// </summary>
public static class ArtifactNames
{
    public static string Find(StageContext context, object artifact, string fallback)
    {
        foreach (var (stage, output) in context.Outputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (ReferenceEquals(output.Artifact, artifact))
            {
                return stage;
            }
        }

        foreach (var (stage, output) in context.Outputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var property in output.Artifact.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                if (property.GetIndexParameters().Length == 0 && IsCheap(property) && ReferenceEquals(property.GetValue(output.Artifact), artifact))
                {
                    return stage + "." + CatalogNames.SnakeCase(property.Name);
                }
            }
        }

        return fallback;
    }

    // Properties that would render or compute on first read (a world's video set) are skipped by their type.
    private static bool IsCheap(PropertyInfo property) =>
        !typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType) || property.PropertyType == typeof(string);
}

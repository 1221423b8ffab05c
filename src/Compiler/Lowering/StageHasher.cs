using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Compiler.Binding;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// Stage hashes as contracts.md defines them: SHA-256 over the kind, the properties with every default filled in
/// (canonical form, by name), the upstream stages' hashes, the experiment seed and the stage's name, the content hash
/// of every data file the stage reads, and the runtime's version. A generator's sampling settings
/// (<see cref="Pipeline.Catalog.PropertyDefinition.SamplingSetting"/>) leave its own hash, and so its aligners',
/// and enter instead the hash of every guide and evaluate stage downstream of it, which samples with them: changing
/// one re-runs sampling and evaluation, never training. Stage order, formatting and comments never enter,
/// nor do <c>replicates</c> and <c>expect</c>: they change no stage (a replicate's stages are those of a run with its
/// seed, and an expectation only reads results), so adding either reuses every cached stage.
/// </summary>
/// <remarks>
/// The name enters because the runtime draws a stage's random numbers (weights, minibatches, noise) from the
/// experiment seed and the stage name (<c>RunContext.StageSeed</c>). Without it, two stages with equal properties
/// and different names, or a renamed stage, reused a cache entry trained with another seed, so a cached run gave
/// other numbers than a fresh one.
/// </remarks>
public static class StageHasher
{
    public static void HashAll(SemanticModel model, string runtimeVersion)
    {
        foreach (var stage in model.TopologicalOrder())
        {
            stage.Hash = Hash(stage, model, runtimeVersion);
        }
    }

    /// <summary>The text that is hashed, one fact per line; exposed so that tests and <c>diff</c> can show it.</summary>
    public static string Preimage(StageSymbol stage, SemanticModel model, string runtimeVersion)
    {
        var builder = new StringBuilder();
        builder.Append("kind ").Append(stage.Kind.Name).Append('\n');
        foreach (var property in stage.Properties.Where(p => !p.Definition.SamplingSetting).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            builder.Append("property ").Append(property.Name).Append(" = ").Append(CanonicalValue.Format(property.Value)).Append('\n');
        }

        if (stage.Role is Pipeline.Catalog.StageRole.Guide or Pipeline.Catalog.StageRole.Evaluate)
        {
            foreach (var (ancestor, property) in SamplingSettingsAbove(stage, model))
            {
                builder.Append("sampling ").Append(ancestor).Append('.').Append(property.Name).Append(" = ").Append(CanonicalValue.Format(property.Value)).Append('\n');
            }
        }

        foreach (var dependency in stage.Dependencies)
        {
            builder.Append("upstream ").Append(dependency).Append(' ').Append(model.FindStage(dependency)?.Hash ?? string.Empty).Append('\n');
        }

        builder.Append("seed ").Append(model.Seed.ToString(CultureInfo.InvariantCulture)).Append(" stage ").Append(stage.Name).Append('\n');
        foreach (var (path, hash) in stage.DataFiles)
        {
            builder.Append("file ").Append(CanonicalValue.Quote(path)).Append(' ').Append(hash).Append('\n');
        }

        builder.Append("runtime ").Append(runtimeVersion).Append('\n');
        return builder.ToString();
    }

    /// <summary>The sampling settings of every stage upstream of <paramref name="stage"/>, by stage name then property.</summary>
    private static IEnumerable<(string Stage, BoundProperty Property)> SamplingSettingsAbove(StageSymbol stage, SemanticModel model)
    {
        var above = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(stage.Dependencies);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (above.Add(name) && model.FindStage(name) is { } upstream)
            {
                foreach (var dependency in upstream.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }

        return above
            .Select(model.FindStage)
            .OfType<StageSymbol>()
            .SelectMany(s => s.Properties.Where(p => p.Definition.SamplingSetting).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (s.Name, p)));
    }

    public static string Hash(StageSymbol stage, SemanticModel model, string runtimeVersion) => Sha256(Preimage(stage, model, runtimeVersion));

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

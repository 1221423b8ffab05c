using System.Collections.Immutable;
using Pipeline.Compiler.Binding;

namespace Pipeline.Compiler.Lowering;

/// <summary>One difference between two bound experiments: a resolved property value (defaults filled in), or a stage added or removed.</summary>
public sealed record ResolvedChange(string Path, string? OldValue, string? NewValue)
{
    public override string ToString() => (OldValue, NewValue) switch
    {
        (null, _) => $"+ {Path} = {NewValue}",
        (_, null) => $"- {Path} = {OldValue}",
        _ => $"{Path}: {OldValue} → {NewValue}",
    };
}

/// <summary>A stage whose cached results a change invalidates: its hash before and after (null when added or removed).</summary>
public sealed record InvalidatedStage(string Stage, string? OldHash, string? NewHash);

/// <summary>
/// The compiler's part of <c>pipeline diff</c>: values compared with every default resolved (so writing a default
/// explicitly is no difference), and the stages whose hash changes, that is, whose cached results are invalidated
/// (a change upstream invalidates everything downstream through the upstream hashes).
/// </summary>
public static class ExperimentDiff
{
    public static ImmutableArray<ResolvedChange> Values(SemanticModel before, SemanticModel after)
    {
        var old = Flatten(before);
        var @new = Flatten(after);
        return old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal)
            .Select(path => (path, Old: old.GetValueOrDefault(path), New: @new.GetValueOrDefault(path)))
            .Where(p => p.Old != p.New)
            .Select(p => new ResolvedChange(p.path, p.Old, p.New))
            .ToImmutableArray();
    }

    public static ImmutableArray<InvalidatedStage> Invalidated(SemanticModel before, SemanticModel after)
    {
        var old = before.Stages.ToDictionary(s => s.Name, s => s.Hash, StringComparer.Ordinal);
        var @new = after.Stages.ToDictionary(s => s.Name, s => s.Hash, StringComparer.Ordinal);
        return old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal)
            .Select(name => new InvalidatedStage(name, old.GetValueOrDefault(name), @new.GetValueOrDefault(name)))
            .Where(s => s.OldHash != s.NewHash)
            .ToImmutableArray();
    }

    /// <summary>
    /// The compiler's part of the diff as <c>pipeline diff</c> prints it (and the language server's semantic diff
    /// command): the changed values with defaults filled in, then the invalidated stages with short hashes.
    /// </summary>
    public static string FormatResolved(SemanticModel before, SemanticModel after)
    {
        var text = new System.Text.StringBuilder("resolved (defaults filled in):\n");
        foreach (var change in Values(before, after))
        {
            text.Append("  ").Append(change).Append('\n');
        }

        var invalidated = Invalidated(before, after);
        text.Append(invalidated.IsEmpty ? "invalidated stages: none\n" : "invalidated stages:\n");
        foreach (var stage in invalidated)
        {
            text.Append($"  {stage.Stage}: {Short(stage.OldHash)} → {Short(stage.NewHash)}\n");
        }

        return text.ToString();
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash[..Math.Min(12, hash.Length)];

    private static Dictionary<string, string> Flatten(SemanticModel model)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["seed"] = model.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["device"] = model.Device,
            ["replicates"] = model.Replicates.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var stage in model.Stages)
        {
            values[stage.Name] = stage.Kind.Name;
            foreach (var property in stage.Properties)
            {
                values[stage.Name + "." + property.Name] = CanonicalValue.Format(property.Value);
            }
        }

        return values;
    }
}

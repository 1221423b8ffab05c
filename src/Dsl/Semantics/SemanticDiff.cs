using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Semantics;

/// <summary>What kind of difference a <see cref="SemanticChange"/> is.</summary>
public enum SemanticChangeKind
{
    StageAdded,
    StageRemoved,

    /// <summary>The stage's kind or role changed.</summary>
    StageChanged,
    ValueAdded,
    ValueRemoved,
    ValueChanged,

    /// <summary>An expectation (<c>expect ...</c>) declared only by the new experiment.</summary>
    ExpectationAdded,

    /// <summary>An expectation declared only by the old experiment.</summary>
    ExpectationRemoved,
}

/// <summary>One difference: a path (<c>dpo.beta</c>, <c>prefs.split.train</c>, a stage name) with its old and new value.</summary>
public sealed record SemanticChange(SemanticChangeKind Kind, string Path, string? OldValue, string? NewValue)
{
    public const string Unset = "(unset)";

    /// <summary>
    /// One line: <c>dpo.beta: 500 → 2000</c>, <c>+ align sft = flow_sft</c>, <c>- align rwr = flow_rwr</c>,
    /// <c>+ expect dpo.win_rate(oracle).TA &gt; 0.5</c>.
    /// </summary>
    public override string ToString() => Kind switch
    {
        SemanticChangeKind.StageAdded => $"+ {NewValue}",
        SemanticChangeKind.StageRemoved => $"- {OldValue}",
        SemanticChangeKind.ExpectationAdded => $"+ {SyntaxKeywords.Expect} {NewValue}",
        SemanticChangeKind.ExpectationRemoved => $"- {SyntaxKeywords.Expect} {OldValue}",
        _ => $"{Path}: {OldValue ?? Unset} → {NewValue ?? Unset}",
    };
}

/// <summary>
/// The syntax-level semantic diff of two effective experiments (compose them first with <see cref="Composition"/>):
/// both are put in <see cref="CanonicalForm"/>, flattened to paths (maps and inline stages open into their keys),
/// and compared path by path; expectations are compared as a set, by their canonical text. Formatting, comments,
/// stage order, property order, map key order and expectation order are never differences; list order is.
/// </summary>
public static class SemanticDiff
{
    public static ImmutableArray<SemanticChange> Compare(ExperimentSyntax oldExperiment, ExperimentSyntax newExperiment)
    {
        ArgumentNullException.ThrowIfNull(oldExperiment);
        ArgumentNullException.ThrowIfNull(newExperiment);
        var before = Flatten(CanonicalForm.Canonicalize(oldExperiment));
        var after = Flatten(CanonicalForm.Canonicalize(newExperiment));
        var changes = new List<SemanticChange>();

        foreach (var name in before.Stages.Keys.Union(after.Stages.Keys).Order(StringComparer.Ordinal))
        {
            var hadStage = before.Stages.TryGetValue(name, out var oldStage);
            var hasStage = after.Stages.TryGetValue(name, out var newStage);
            if (!hasStage)
            {
                changes.Add(new SemanticChange(SemanticChangeKind.StageRemoved, name, oldStage, null));
            }
            else if (!hadStage)
            {
                changes.Add(new SemanticChange(SemanticChangeKind.StageAdded, name, null, newStage));
            }
            else if (oldStage != newStage)
            {
                changes.Add(new SemanticChange(SemanticChangeKind.StageChanged, name, oldStage, newStage));
            }
        }

        foreach (var path in before.Values.Keys.Union(after.Values.Keys).Order(StringComparer.Ordinal))
        {
            var stage = path.Split('.')[0];
            var wholeStage = (before.Stages.ContainsKey(stage) && !after.Stages.ContainsKey(stage)) || (!before.Stages.ContainsKey(stage) && after.Stages.ContainsKey(stage));
            if (wholeStage && path.Contains('.', StringComparison.Ordinal))
            {
                continue; // An added or removed stage is one change, not one per property.
            }

            var had = before.Values.TryGetValue(path, out var oldValue);
            var has = after.Values.TryGetValue(path, out var newValue);
            if (had && has && oldValue != newValue)
            {
                changes.Add(new SemanticChange(SemanticChangeKind.ValueChanged, path, oldValue, newValue));
            }
            else if (had && !has)
            {
                changes.Add(new SemanticChange(SemanticChangeKind.ValueRemoved, path, oldValue, null));
            }
            else if (!had && has)
            {
                changes.Add(new SemanticChange(SemanticChangeKind.ValueAdded, path, null, newValue));
            }
        }

        // Expectations last, after the stages and values they talk about; removed before added.
        var expectations = before.Expectations.Except(after.Expectations).Order(StringComparer.Ordinal)
            .Select(e => new SemanticChange(SemanticChangeKind.ExpectationRemoved, SyntaxKeywords.Expect, e, null))
            .Concat(after.Expectations.Except(before.Expectations).Order(StringComparer.Ordinal)
                .Select(e => new SemanticChange(SemanticChangeKind.ExpectationAdded, SyntaxKeywords.Expect, null, e)));
        var sorted = changes
            .OrderBy(c => c.Path.Split('.')[0], StringComparer.Ordinal)
            .ThenBy(c => c.Kind is SemanticChangeKind.StageAdded or SemanticChangeKind.StageRemoved or SemanticChangeKind.StageChanged ? 0 : 1)
            .ThenBy(c => c.Path, StringComparer.Ordinal)
            .Concat(expectations)
            .ToImmutableArray();
        return oldExperiment.Name.Name == newExperiment.Name.Name
            ? sorted
            : sorted.Insert(0, new SemanticChange(SemanticChangeKind.ValueChanged, SyntaxKeywords.Experiment, oldExperiment.Name.Name, newExperiment.Name.Name));
    }

    /// <summary>The diff for people: one line per change, or <c>no semantic change</c>.</summary>
    public static string FormatText(IReadOnlyCollection<SemanticChange> changes)
    {
        if (changes.Count == 0)
        {
            return "no semantic change\n";
        }

        var builder = new StringBuilder();
        foreach (var change in changes)
        {
            builder.Append(change).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The diff for tools: <c>{"same": bool, "changes": [{"change", "path", "old", "new"}]}</c>.</summary>
    public static string FormatJson(IReadOnlyCollection<SemanticChange> changes)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("same", changes.Count == 0);
            writer.WriteStartArray("changes");
            foreach (var change in changes)
            {
                writer.WriteStartObject();
                writer.WriteString("change", KindName(change.Kind));
                writer.WriteString("path", change.Path);
                WriteNullable(writer, "old", change.OldValue);
                WriteNullable(writer, "new", change.NewValue);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The JSON name of a change kind: <c>stage-added</c>, <c>value-changed</c>, ...</summary>
    public static string KindName(SemanticChangeKind kind) => kind switch
    {
        SemanticChangeKind.StageAdded => "stage-added",
        SemanticChangeKind.StageRemoved => "stage-removed",
        SemanticChangeKind.StageChanged => "stage-changed",
        SemanticChangeKind.ValueAdded => "value-added",
        SemanticChangeKind.ValueRemoved => "value-removed",
        SemanticChangeKind.ExpectationAdded => "expectation-added",
        SemanticChangeKind.ExpectationRemoved => "expectation-removed",
        _ => "value-changed",
    };

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private sealed record Flat(Dictionary<string, string> Stages, Dictionary<string, string> Values, HashSet<string> Expectations);

    private static Flat Flatten(ExperimentSyntax experiment)
    {
        var stages = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var expectations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in experiment.Members)
        {
            switch (member)
            {
                case PropertySyntax property:
                    FlattenValue(property.Name.Name, property.Value, values);
                    break;
                case StageSyntax stage:
                    stages[stage.Name.Name] = $"{stage.Role.Name} {stage.Name.Name} = {stage.Kind.Name}";
                    foreach (var property in stage.Properties)
                    {
                        FlattenValue(stage.Name.Name + "." + property.Name.Name, property.Value, values);
                    }

                    break;
                case OverrideSyntax @override:
                    FlattenValue(string.Join(".", @override.Target.Select(t => t.Name)), @override.Value, values);
                    break;
                case ExpectationSyntax expectation:
                    expectations.Add(SyntaxFormatter.FormatExpectation(expectation));
                    break;
            }
        }

        return new Flat(stages, values, expectations);
    }

    private static void FlattenValue(string path, ValueSyntax value, Dictionary<string, string> values)
    {
        switch (value)
        {
            case MapSyntax { Entries.IsEmpty: false } map:
                foreach (var entry in map.Entries)
                {
                    FlattenValue(path + "." + entry.Key.Name, entry.Value, values);
                }

                break;
            case InlineStageSyntax inline:
                values[path] = inline.Kind.Name + " {…}";
                foreach (var property in inline.Properties)
                {
                    FlattenValue(path + "." + property.Name.Name, property.Value, values);
                }

                break;
            default:
                values[path] = SyntaxFormatter.FormatValueInline(value);
                break;
        }
    }
}

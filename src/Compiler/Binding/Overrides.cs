using System.Collections.Immutable;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>
/// One <c>--set PATH=VALUE</c> from the command line (contracts.md): PATH is <c>STAGE.PROPERTY</c>,
/// <c>STAGE.PROPERTY.KEY</c> or an experiment property such as <c>seed</c>; VALUE is in the language's value syntax.
/// </summary>
public sealed record SetOverride(string Path, string Value)
{
    /// <summary>Splits <c>PATH=VALUE</c> at the first '='; null when there is none.</summary>
    public static SetOverride? Parse(string text)
    {
        var equals = text.IndexOf('=');
        return equals <= 0 ? null : new SetOverride(text[..equals].Trim(), text[(equals + 1)..]);
    }

    /// <summary>The name diagnostics about this override print as their path.</summary>
    public string SourceName => $"--set {Path}";
}

/// <summary>
/// Applies overrides to the syntax tree before binding, so that an overridden value is checked exactly like one
/// written in the file; the values it puts in are remembered with the source they came from, for diagnostics.
/// </summary>
internal static class OverrideApplier
{
    public static ExperimentSyntax Apply(
        ExperimentSyntax unit,
        IReadOnlyList<SetOverride> overrides,
        Dictionary<object, string> origins,
        Dictionary<string, SourceText> sources,
        List<Diagnostic> diagnostics)
    {
        foreach (var @override in overrides)
        {
            // The same path set twice keeps two sources (the second named "--set PATH (2)"), so that each diagnostic's
            // line and column are read from the value it is about.
            var name = @override.SourceName;
            for (var n = 2; sources.ContainsKey(name); n++)
            {
                name = $"{@override.SourceName} ({n})";
            }

            var source = new SourceText(name, @override.Value);
            sources[source.Path] = source;
            var (value, parseDiagnostics) = SyntaxTree.ParseValue(source);
            diagnostics.AddRange(parseDiagnostics);
            if (value is null)
            {
                continue;
            }

            var segments = @override.Path.Split('.');
            if (segments.Any(s => !Names.IsSafeIdentifier(s)))
            {
                diagnostics.Add(CompilerDiagnostics.InvalidSetPath(new TextSpan(0, 0), @override.Path, "is not a dotted path of names") with { Path = source.Path });
                continue;
            }

            var (updated, error) = Replace(unit, segments, value, origins, source.Path);
            if (error is not null)
            {
                diagnostics.Add(CompilerDiagnostics.InvalidSetPath(new TextSpan(0, 0), @override.Path, error) with { Path = source.Path });
                continue;
            }

            unit = updated;
        }

        return unit;
    }

    /// <summary>
    /// Puts <paramref name="value"/> at <paramref name="path"/>; an error phrase ("names no stage 'x'") when it cannot.
    /// The nodes it creates are recorded in <paramref name="origins"/> as coming from <paramref name="origin"/>
    /// (a replaced stage keeps its own origin).
    /// </summary>
    public static (ExperimentSyntax Unit, string? Error) Replace(ExperimentSyntax unit, IReadOnlyList<string> path, ValueSyntax value, Dictionary<object, string> origins, string origin)
    {
        var experiment = unit;
        if (path.Count == 1)
        {
            var members = SetProperty(experiment.Members.OfType<PropertySyntax>().ToImmutableArray(), path[0], value, origins, origin);
            var updated = experiment.Members.Where(m => m is not PropertySyntax).Concat(members).ToImmutableArray();
            return (experiment with { Members = updated }, null);
        }

        var stage = experiment.Members.OfType<StageSyntax>().FirstOrDefault(s => s.Name.Name == path[0]);
        if (stage is null)
        {
            return (unit, $"names no stage '{path[0]}'{Suggestions.DidYouMean(path[0], experiment.Members.OfType<StageSyntax>().Select(s => s.Name.Name))}");
        }

        ImmutableArray<PropertySyntax> properties;
        if (path.Count == 2)
        {
            properties = SetProperty(stage.Properties, path[1], value, origins, origin);
        }
        else if (path.Count == 3)
        {
            var existing = stage.Properties.FirstOrDefault(p => p.Name.Name == path[1]);
            ValueSyntax replaced;
            switch (existing?.Value)
            {
                case null:
                    replaced = new MapSyntax(value.Span, [new MapEntrySyntax(value.Span, new IdentifierSyntax(value.Span, path[2]), value)]);
                    break;
                case MapSyntax map:
                    var entry = new MapEntrySyntax(value.Span, new IdentifierSyntax(value.Span, path[2]), value);
                    origins[entry] = origin;
                    replaced = map with { Entries = map.Entries.Where(e => e.Key.Name != path[2]).Append(entry).ToImmutableArray() };
                    break;
                case InlineStageSyntax inline:
                    replaced = inline with { Properties = SetProperty(inline.Properties, path[2], value, origins, origin) };
                    break;
                default:
                    return (unit, $"sets a key inside '{path[0]}.{path[1]}', which is neither a map nor an inline stage");
            }

            properties = SetProperty(stage.Properties, path[1], replaced, origins, origin);
            if (existing is not null)
            {
                // Only a key (or an inline stage's property) changed: the rest is still where it was written.
                var property = properties.First(p => p.Name.Name == path[1]);
                if (origins.TryGetValue(existing, out var written))
                {
                    origins[property] = written;
                }
                else
                {
                    origins.Remove(property);
                }
            }
        }
        else
        {
            return (unit, "has more than three parts");
        }

        var replacedStage = stage with { Properties = properties };
        if (origins.TryGetValue(stage, out var stageOrigin))
        {
            origins[replacedStage] = stageOrigin;
        }

        var members2 = experiment.Members.Select(m => ReferenceEquals(m, stage) ? replacedStage : m).ToImmutableArray();
        return (experiment with { Members = members2 }, null);
    }

    private static ImmutableArray<PropertySyntax> SetProperty(ImmutableArray<PropertySyntax> properties, string name, ValueSyntax value, Dictionary<object, string> origins, string origin)
    {
        var index = -1;
        for (var i = 0; i < properties.Length && index < 0; i++)
        {
            index = properties[i].Name.Name == name ? i : -1;
        }

        // A replaced property is a new node spanning the new value: its old span lies in another source (the file, or an
        // earlier --set of the same path), and a diagnostic about the property must point into the source it came from.
        var property = new PropertySyntax(value.Span, new IdentifierSyntax(value.Span, name), value);
        origins[property] = origin;
        return index < 0 ? properties.Add(property) : properties.SetItem(index, property);
    }
}

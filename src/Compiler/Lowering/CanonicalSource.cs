using System.Globalization;
using System.Text;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// The canonical resolved source of an experiment (after composition and <c>--set</c>): comments dropped,
/// experiment properties, stages, stage properties and map keys in ordinal order, one property per line. Its
/// SHA-256 is the source hash; formatting, comments and declaration order do not change it.
/// </summary>
public static class CanonicalSource
{
    public static string Write(CompilationUnitSyntax unit)
    {
        var experiment = unit.Experiment;
        var builder = new StringBuilder();
        builder.Append("experiment ").Append(experiment.Name.Name).Append(" {\n");
        foreach (var property in experiment.Members.OfType<PropertySyntax>().OrderBy(p => p.Name.Name, StringComparer.Ordinal))
        {
            builder.Append("  ").Append(property.Name.Name).Append(" = ").Append(Value(property.Value)).Append('\n');
        }

        foreach (var @override in experiment.Members.OfType<OverrideSyntax>().Select(o => (Path: string.Join(".", o.Target.Select(t => t.Name)), o.Value)).OrderBy(o => o.Path, StringComparer.Ordinal))
        {
            builder.Append("  ").Append(@override.Path).Append(" = ").Append(Value(@override.Value)).Append('\n');
        }

        foreach (var stage in experiment.Members.OfType<StageSyntax>().OrderBy(s => s.Name.Name, StringComparer.Ordinal))
        {
            builder.Append('\n').Append("  ").Append(stage.Role.Name).Append(' ').Append(stage.Name.Name).Append(" = ").Append(stage.Kind.Name).Append(" {\n");
            foreach (var property in stage.Properties.OrderBy(p => p.Name.Name, StringComparer.Ordinal))
            {
                builder.Append("    ").Append(property.Name.Name).Append(" = ").Append(Value(property.Value)).Append('\n');
            }

            builder.Append("  }\n");
        }

        return builder.Append("}\n").ToString();
    }

    public static string Value(ValueSyntax value) => value switch
    {
        IntegerLiteralSyntax integer => integer.Value.ToString(CultureInfo.InvariantCulture),
        RealLiteralSyntax real => CanonicalValue.Real(real.Value),
        BooleanLiteralSyntax boolean => boolean.Value ? "true" : "false",
        StringLiteralSyntax text => CanonicalValue.Quote(text.Value),
        ReferenceSyntax reference => reference.Dotted,
        ListSyntax list => "[" + string.Join(", ", list.Items.Select(Value)) + "]",
        MapSyntax map => "{ " + string.Join(", ", map.Entries.OrderBy(e => e.Key.Name, StringComparer.Ordinal).Select(e => e.Key.Name + ": " + Value(e.Value))) + " }",
        CallSyntax call => call.Callee.Dotted + "(" + string.Join(", ", call.Arguments.Select(a => (a.Name is null ? string.Empty : a.Name.Name + ": ") + Value(a.Value))) + ")",
        InlineStageSyntax inline => inline.Kind.Name + " { " + string.Join(", ", inline.Properties.OrderBy(p => p.Name.Name, StringComparer.Ordinal).Select(p => p.Name.Name + " = " + Value(p.Value))) + " }",
        SweepSyntax sweep => "sweep " + Value(sweep.Points),
        _ => throw new InvalidOperationException($"no canonical form for {value.GetType().Name}"),
    };
}

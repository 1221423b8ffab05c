using System.Globalization;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// Values in the language's canonical spelling, for messages and sweep points. The canonical text of a whole
/// experiment (whose SHA-256 is the source hash) is the Dsl's <c>CanonicalForm</c>.
/// </summary>
public static class CanonicalSource
{
    /// <summary>A value in canonical spelling (used to show sweep points).</summary>
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

using System.Collections.Immutable;
using System.Globalization;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Semantics;

/// <summary>
/// The canonical form of an experiment, the input of the source hash: no comments, no extends clause,
/// experiment-level properties then stages, each sorted by name (ordinal), then expectations sorted by their text,
/// properties and map keys sorted, and numbers in one spelling (<c>5e-6</c>, <c>0.1</c>, <c>500</c>). Formatting,
/// comments, stage order and expectation order therefore never change it; list order does, because it means something.
/// </summary>
public static class CanonicalForm
{
    /// <summary>The canonical text: <see cref="SyntaxFormatter"/>'s output of <see cref="Canonicalize"/>.</summary>
    public static string Text(ExperimentSyntax experiment) => SyntaxFormatter.Format(Canonicalize(experiment));

    public static ExperimentSyntax Canonicalize(ExperimentSyntax experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var members = experiment.Members
            .Select(Member)
            .OrderBy(m => m switch { PropertySyntax => 0, StageSyntax => 1, ExpectationSyntax => 3, _ => 2 })
            .ThenBy(MemberKey, StringComparer.Ordinal)
            .ToImmutableArray();
        return new ExperimentSyntax(experiment.Span, experiment.Name, null, members);
    }

    /// <summary>The canonical spelling of a real: shortest round-trip digits, lower-case exponent, always a '.' or an exponent.</summary>
    public static string RealText(double value)
    {
        if (!double.IsFinite(value))
        {
            return value.ToString("R", CultureInfo.InvariantCulture);
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            var mantissa = text[..e];
            var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return mantissa + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>An expectation's canonical text, without <c>expect</c>: <c>dpo.win_rate(oracle).TA &gt; 0.5</c>.</summary>
    public static string ExpectationText(ExpectationSyntax expectation) => SyntaxFormatter.FormatExpectation((ExpectationSyntax)Member(expectation));

    private static string MemberKey(MemberSyntax member) => member switch
    {
        PropertySyntax p => p.Name.Name,
        StageSyntax s => s.Name.Name,
        OverrideSyntax o => string.Join(".", o.Target.Select(t => t.Name)),
        ExpectationSyntax e => SyntaxFormatter.FormatExpectation(e),
        _ => string.Empty,
    };

    private static MemberSyntax Member(MemberSyntax member) => member switch
    {
        PropertySyntax p => Property(p),
        StageSyntax s => new StageSyntax(s.Span, s.Role, s.Name, s.Kind, Properties(s.Properties)),
        OverrideSyntax o => new OverrideSyntax(o.Span, o.Target, Value(o.Value)),
        ExpectationSyntax e => new ExpectationSyntax(e.Span, e.Left, e.Comparison, e.Right is ThresholdSyntax t ? t with { Literal = Value(t.Literal) } : e.Right),
        _ => member,
    };

    private static ImmutableArray<PropertySyntax> Properties(ImmutableArray<PropertySyntax> properties) =>
        properties.Select(Property).OrderBy(p => p.Name.Name, StringComparer.Ordinal).ToImmutableArray();

    private static PropertySyntax Property(PropertySyntax property) => new(property.Span, property.Name, Value(property.Value));

    private static ValueSyntax Value(ValueSyntax value) => value switch
    {
        IntegerLiteralSyntax i when long.TryParse(i.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) =>
            i with { Text = v.ToString(CultureInfo.InvariantCulture) },
        RealLiteralSyntax r => r with { Text = RealText(r.Value) },
        ListSyntax l => l with { Items = l.Items.Select(Value).ToImmutableArray() },
        MapSyntax m => m with
        {
            Entries = m.Entries.Select(e => e with { Value = Value(e.Value) }).OrderBy(e => e.Key.Name, StringComparer.Ordinal).ToImmutableArray(),
        },
        CallSyntax c => c with { Arguments = c.Arguments.Select(a => a with { Value = Value(a.Value) }).ToImmutableArray() },
        InlineStageSyntax s => new InlineStageSyntax(s.Span, s.Kind, Properties(s.Properties)),
        SweepSyntax s => s with { Points = (ListSyntax)Value(s.Points) },
        _ => value,
    };
}

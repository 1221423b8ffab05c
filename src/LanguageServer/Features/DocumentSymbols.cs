using Pipeline.Dsl.Syntax;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;

namespace Pipeline.LanguageServer.Features;

/// <summary>The outline: the experiment, and in it its properties, overrides, expectations and stages with their properties.</summary>
internal static class DocumentSymbols
{
    public static IReadOnlyList<DocumentSymbol> Outline(DocumentAnalysis analysis, LineIndex lines)
    {
        var experiment = analysis.Tree.Root.Experiment;
        if (experiment.Name.Name.Length == 0)
        {
            return [];
        }

        var children = experiment.Members.Select(m => Member(m, lines)).ToList();
        var detail = experiment.Extends is { } extends ? $"extends \"{extends.Path.Value}\"" : null;
        return [new DocumentSymbol(experiment.Name.Name, detail, SymbolKind.Module, lines.RangeOf(experiment.Span), lines.RangeOf(experiment.Name.Span), children)];
    }

    private static DocumentSymbol Member(MemberSyntax member, LineIndex lines) => member switch
    {
        StageSyntax stage => new DocumentSymbol(stage.Name.Name, $"{stage.Role.Name} = {stage.Kind.Name}", SymbolKind.Class, lines.RangeOf(stage.Span), lines.RangeOf(stage.Name.Span), Properties(stage.Properties, lines)),
        PropertySyntax property => Property(property, lines),
        OverrideSyntax @override => new DocumentSymbol(string.Join(".", @override.Target.Select(t => t.Name)), Dsl.Formatting.SyntaxFormatter.FormatValueInline(@override.Value), SymbolKind.Property, lines.RangeOf(@override.Span), lines.RangeOf(@override.Target[0].Span), []),
        ExpectationSyntax expectation => new DocumentSymbol("expect", Dsl.Formatting.SyntaxFormatter.FormatExpectation(expectation), SymbolKind.Event, lines.RangeOf(expectation.Span), lines.RangeOf(expectation.Left.Span), []),
        _ => throw new InvalidOperationException($"unknown member {member.GetType().Name}"),
    };

    private static DocumentSymbol Property(PropertySyntax property, LineIndex lines)
    {
        var children = property.Value is InlineStageSyntax inline ? Properties(inline.Properties, lines) : [];
        var detail = property.Value is InlineStageSyntax nested ? nested.Kind.Name + " { ... }" : Dsl.Formatting.SyntaxFormatter.FormatValueInline(property.Value);
        return new DocumentSymbol(property.Name.Name, detail, SymbolKind.Property, lines.RangeOf(property.Span), lines.RangeOf(property.Name.Span), children);
    }

    private static IReadOnlyList<DocumentSymbol> Properties(IEnumerable<PropertySyntax> properties, LineIndex lines) =>
        properties.Select(p => Property(p, lines)).ToList();
}

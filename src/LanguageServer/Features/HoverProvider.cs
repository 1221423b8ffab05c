using Pipeline.Catalog;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;

namespace Pipeline.LanguageServer.Features;

/// <summary>Hover: the catalogue's documentation of the kind, property, member, word or stage under the cursor.</summary>
internal static class HoverProvider
{
    public static Hover? Hover(DocumentAnalysis analysis, LineIndex lines, int offset)
    {
        var occurrence = analysis.Symbols.At(offset);
        var text = occurrence is null ? null : Markdown(analysis, occurrence);
        return text is null ? null : new Hover(new MarkupContent(text), lines.RangeOf(occurrence!.Span));
    }

    private static string? Markdown(DocumentAnalysis analysis, Occurrence occurrence) => occurrence.Role switch
    {
        SymbolRole.Kind => CatalogDocs.Kind(occurrence.Kind!),
        SymbolRole.Property => CatalogDocs.Property(occurrence.Definition!, occurrence.Kind),
        SymbolRole.ExperimentProperty or SymbolRole.Argument => CatalogDocs.Property(occurrence.Definition!),
        SymbolRole.Key => occurrence.Definition is { } field ? CatalogDocs.Property(field) : CatalogDocs.Key(occurrence.Name, occurrence.Type),
        SymbolRole.Member => CatalogDocs.Member(occurrence.Member!),
        SymbolRole.Word => CatalogDocs.Word(occurrence.Name, occurrence.Type),
        SymbolRole.Role => CatalogDocs.Role(occurrence.Name),
        SymbolRole.StageDeclaration or SymbolRole.StageReference => Stage(analysis, occurrence.Name),
        SymbolRole.ExtendsPath => $"Extends `{occurrence.Name}`: {System.IO.Path.GetFullPath(Dsl.Semantics.Composition.BasePath(analysis.Path, occurrence.Name))}",
        SymbolRole.ExperimentName => $"**experiment {occurrence.Name}**: {analysis.Stages.Count} stages",
        _ => null,
    };

    private static string? Stage(DocumentAnalysis analysis, string name)
    {
        if (!analysis.Stages.TryGetValue(name, out var stage))
        {
            return null;
        }

        var declaredIn = analysis.DeclaringPath(stage) is { } path && path != analysis.Path ? System.IO.Path.GetFileName(path) : null;
        var reads = analysis.Compilation?.SemanticModel.FindStage(name)?.Dependencies ?? [];
        return CatalogDocs.Stage(name, stage.Role.Name, StageCatalog.FindKind(stage.Kind.Name), stage.Kind.Name, reads, declaredIn);
    }
}

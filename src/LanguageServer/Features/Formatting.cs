using Pipeline.Dsl.Formatting;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;

namespace Pipeline.LanguageServer.Features;

/// <summary>Formatting with the one canonical layout (<c>pipeline fmt</c>); a file with syntax errors is left alone, as <c>fmt</c> leaves it.</summary>
internal static class Formatting
{
    public static IReadOnlyList<TextEdit> Format(DocumentAnalysis analysis, string text, LineIndex lines)
    {
        if (analysis.Tree.HasErrors)
        {
            return [];
        }

        var formatted = SyntaxFormatter.Format(analysis.Tree.Root);
        return formatted == text ? [] : [new TextEdit(new Range(new Position(0, 0), lines.PositionOf(text.Length)), formatted)];
    }
}

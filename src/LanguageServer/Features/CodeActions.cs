using System.Text.RegularExpressions;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;

namespace Pipeline.LanguageServer.Features;

/// <summary>
/// Quick fixes that apply a diagnostic's "did you mean 'x'?": the misspelt name at the start of the diagnostic's
/// span is replaced by the suggestion. Only a name the message quotes is replaced, so a fix never edits the wrong word.
/// </summary>
internal static partial class CodeActions
{
    public static IReadOnlyList<CodeAction> QuickFixes(DocumentAnalysis analysis, string uri, string text, LineIndex lines, Range range)
    {
        var from = lines.OffsetOf(range.Start);
        var to = lines.OffsetOf(range.End);
        var actions = new List<CodeAction>();
        foreach (var diagnostic in analysis.Diagnostics.Where(d => d.Path is null || d.Path == analysis.Path))
        {
            var suggestion = DidYouMean().Match(diagnostic.Message);
            if (!suggestion.Success || diagnostic.Span.Start > to || diagnostic.Span.End < from)
            {
                continue;
            }

            var start = Math.Min(diagnostic.Span.Start, text.Length);
            var end = start;
            while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            {
                end++;
            }

            var word = text[start..end];
            if (word.Length == 0 || !diagnostic.Message.Contains($"'{word}'", StringComparison.Ordinal))
            {
                continue;
            }

            var replacement = suggestion.Groups[1].Value;
            var edit = new TextEdit(lines.RangeOf(Dsl.Text.TextSpan.FromBounds(start, end)), replacement);
            var shown = new LspDiagnostic(lines.RangeOf(diagnostic.Span), DiagnosticsConverter.Severity(diagnostic.Level), diagnostic.Code, DiagnosticsConverter.Source, diagnostic.Message);
            actions.Add(new CodeAction($"Change '{word}' to '{replacement}'", "quickfix", [shown], new WorkspaceEdit(new Dictionary<string, IReadOnlyList<TextEdit>> { [uri] = [edit] })));
        }

        return actions;
    }

    [GeneratedRegex(@"\(did you mean '([A-Za-z_][A-Za-z0-9_]*)'\?\)")]
    private static partial Regex DidYouMean();
}

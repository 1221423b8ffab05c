using Pipeline.Dsl.Diagnostics;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;

namespace Pipeline.LanguageServer.Features;

/// <summary>
/// The diagnostics of <c>pipeline check</c> as the protocol carries them: the same code, message and span. A
/// diagnostic in a file the document extends is shown on the document's <c>extends</c> path, prefixed with where it
/// is (<c>base.pipe:3:5:</c>) and linked to it, since the protocol shows a document's diagnostics in that document.
/// Messages are escaped to one line as <c>check</c> prints them: a value from the file may hold control characters.
/// At most <see cref="DiagnosticPrinter.Limit"/> are published, then check's closing PIPE0050 line at the top of the
/// document: a file with thousands of mistakes otherwise sends an editor megabytes on every keystroke.
/// </summary>
internal static class DiagnosticsConverter
{
    public const string Source = "pipeline";

    public static IReadOnlyList<LspDiagnostic> Convert(DocumentAnalysis analysis, LineIndex lines)
    {
        var result = new List<LspDiagnostic>();
        for (var index = 0; index < analysis.Diagnostics.Length; index++)
        {
            var diagnostic = analysis.Diagnostics[index];
            if (result.Count == DiagnosticPrinter.Limit)
            {
                var hidden = analysis.Diagnostics.Length - index;
                var notShown = DiagnosticBuilder.DiagnosticsNotShown(hidden, DiagnosticPrinter.Limit);
                result.Add(new LspDiagnostic(lines.RangeOf(notShown.Span), Severity(notShown.Level), notShown.Code, Source, notShown.Message));
                break;
            }

            var message = DiagnosticFormatter.OneLine(diagnostic.Message);
            if (diagnostic.Path is null || diagnostic.Path == analysis.Path)
            {
                result.Add(new LspDiagnostic(lines.RangeOf(diagnostic.Span), Severity(diagnostic.Level), diagnostic.Code, Source, message));
                continue;
            }

            var extends = analysis.Tree.Root.Experiment.Extends;
            var source = analysis.Resolved.SourceOf(diagnostic.Path);
            if (extends is null || source is null)
            {
                continue;
            }

            var (line, column) = source.GetLineColumn(diagnostic.Span.Start);
            var where = $"{System.IO.Path.GetFileName(diagnostic.Path)}:{line}:{column}";
            var location = new Location(DocumentPaths.UriOf(diagnostic.Path), new LineIndex(source.Text).RangeOf(diagnostic.Span));
            result.Add(new LspDiagnostic(lines.RangeOf(extends.Path.Span), Severity(diagnostic.Level), diagnostic.Code, Source, $"{where}: {message}")
            {
                RelatedInformation = [new DiagnosticRelatedInformation(location, message)],
            });
        }

        return result;
    }

    public static int Severity(DiagnosticLevel level) => level switch
    {
        DiagnosticLevel.Error => 1,
        DiagnosticLevel.Warning => 2,
        _ => 3,
    };
}

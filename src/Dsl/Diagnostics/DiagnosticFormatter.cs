using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Diagnostics;

/// <summary>Prints diagnostics as <c>path:line:col: error PIPE0123: message.</c>, the one format every tool shares.</summary>
public static class DiagnosticFormatter
{
    /// <summary>One line for a diagnostic; <paramref name="source"/> turns its offset into line:column.</summary>
    public static string Format(Diagnostic diagnostic, SourceText? source)
    {
        var path = diagnostic.Path ?? source?.Path ?? "<command line>";
        var location = source is null
            ? path
            : FormatLocation(path, source.GetLineColumn(diagnostic.Span.Start));
        var message = diagnostic.Message.EndsWith('.') || diagnostic.Message.EndsWith('?') ? diagnostic.Message : diagnostic.Message + ".";
        return $"{location}: {LevelWord(diagnostic.Level)} {diagnostic.Code}: {message}";
    }

    /// <summary>The word a level is printed as: <c>error</c>, <c>warning</c> or <c>info</c>.</summary>
    public static string LevelWord(DiagnosticLevel level) => level switch
    {
        DiagnosticLevel.Error => "error",
        DiagnosticLevel.Warning => "warning",
        _ => "info",
    };

    private static string FormatLocation(string path, (int Line, int Column) position) => $"{path}:{position.Line}:{position.Column}";
}

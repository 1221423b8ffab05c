using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Diagnostics;

/// <summary>
/// Prints the diagnostics of one file (or one command) as <see cref="DiagnosticFormatter"/> lines, at most
/// <see cref="Limit"/> of them, then one closing line that says how many more there were: a file with 20,000 duplicate
/// properties once printed 20,000 lines (2.5 MB). The first ones are the ones to fix; the rest usually follow from them.
/// </summary>
public sealed class DiagnosticPrinter(TextWriter output, int limit = DiagnosticPrinter.Limit)
{
    /// <summary>The most diagnostics printed for one file (docs/language.md, "Hostile input").</summary>
    public const int Limit = 100;

    private string? lastPath;

    /// <summary>How many were printed.</summary>
    public int Printed { get; private set; }

    /// <summary>How many were over the limit and not printed.</summary>
    public int Hidden { get; private set; }

    /// <summary>How many errors were given, printed or not.</summary>
    public int Errors { get; private set; }

    public void Print(Diagnostic diagnostic, SourceText? source)
    {
        Errors += diagnostic.IsError ? 1 : 0;
        if (Printed >= limit)
        {
            Hidden++;
            return;
        }

        output.WriteLine(DiagnosticFormatter.Format(diagnostic, source));
        lastPath = diagnostic.Path ?? source?.Path;
        Printed++;
    }

    /// <summary>Writes the closing line (PIPE0050, an info) when some were not printed; call once, after the last <see cref="Print"/>.</summary>
    public void Finish()
    {
        if (Hidden > 0)
        {
            output.WriteLine(DiagnosticFormatter.Format(DiagnosticBuilder.DiagnosticsNotShown(Hidden, limit) with { Path = lastPath ?? "<command line>" }, source: null));
        }
    }
}

using System.Globalization;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Diagnostics;

// About the printed list of diagnostics itself, rather than the file.
public static partial class DiagnosticBuilder
{
    public const string DiagnosticsNotShownCode = "PIPE0050";

    /// <summary>The closing line of a list cut at <see cref="DiagnosticPrinter.Limit"/>: how many more there were.</summary>
    public static Diagnostic DiagnosticsNotShown(int hidden, int shown) =>
        new(new TextSpan(0, 0), DiagnosticLevel.Info, DiagnosticsNotShownCode,
            string.Create(CultureInfo.InvariantCulture, $"Not shown: {hidden} more diagnostics (only the first {shown} are printed); fix those above and check again."));
}

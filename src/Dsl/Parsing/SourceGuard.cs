using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// Checks that run before any parser sees the text: size, line length and characters that cannot be in a text
/// file. A fatal finding stops parsing, so that hostile input (a 10 MB line, a binary file) costs one linear scan.
/// </summary>
internal static class SourceGuard
{
    public const int MaxFileLength = 1 << 20;
    public const int MaxLineLength = 32_768;

    /// <summary>Returns the findings; <paramref name="fatal"/> says whether the text must not be parsed.</summary>
    public static List<Diagnostic> Check(string text, out bool fatal)
    {
        var diagnostics = new List<Diagnostic>();
        fatal = false;
        if (text.Length > MaxFileLength)
        {
            diagnostics.Add(DiagnosticBuilder.FileTooLarge(text.Length, MaxFileLength));
            fatal = true;
            return diagnostics;
        }

        var lineStart = 0;
        var reportedControl = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                if (i - lineStart > MaxLineLength)
                {
                    diagnostics.Add(DiagnosticBuilder.LineTooLong(new TextSpan(lineStart, 0), MaxLineLength));
                    fatal = true;
                }

                lineStart = i + 1;
            }
            else if (c == '\0')
            {
                // One finding is enough: a binary file has thousands.
                diagnostics.Add(DiagnosticBuilder.NulCharacter(new TextSpan(i, 1)));
                fatal = true;
                return diagnostics;
            }
            else if (char.IsControl(c) && c is not '\t' and not '\r' && !reportedControl)
            {
                diagnostics.Add(DiagnosticBuilder.ControlCharacter(new TextSpan(i, 1), c));
                reportedControl = true;
                fatal = true;
            }
            else if (c == '\uFFFD' || (char.IsSurrogate(c) && !IsPairedSurrogate(text, i)))
            {
                diagnostics.Add(DiagnosticBuilder.InvalidText(new TextSpan(i, 1)));
                fatal = true;
                return diagnostics;
            }
            else if (char.IsHighSurrogate(c))
            {
                i++;
            }
        }

        if (text.Length - lineStart > MaxLineLength)
        {
            diagnostics.Add(DiagnosticBuilder.LineTooLong(new TextSpan(lineStart, 0), MaxLineLength));
            fatal = true;
        }

        return diagnostics;
    }

    private static bool IsPairedSurrogate(string text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
}

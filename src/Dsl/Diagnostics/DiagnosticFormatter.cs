using System.Globalization;
using System.Text;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Diagnostics;

/// <summary>Prints diagnostics as <c>path:line:col: error PIPE0123: message.</c>, the one format every tool shares.</summary>
public static class DiagnosticFormatter
{
    /// <summary>
    /// The longest message a line carries; a longer one (a value of a megabyte echoed back) keeps its start and end. A
    /// tool reading diagnostics line by line should not have to hold a megabyte line.
    /// </summary>
    public const int MaxLineLength = 2000;

    /// <summary>One line for a diagnostic; <paramref name="source"/> turns its offset into line:column.</summary>
    public static string Format(Diagnostic diagnostic, SourceText? source)
    {
        var path = diagnostic.Path ?? source?.Path ?? "<command line>";
        var location = source is null
            ? OneLine(path)
            : FormatLocation(OneLine(path), source.GetLineColumn(diagnostic.Span.Start));
        var message = diagnostic.Message.EndsWith('.') || diagnostic.Message.EndsWith('?') ? diagnostic.Message : diagnostic.Message + ".";
        return $"{location}: {LevelWord(diagnostic.Level)} {diagnostic.Code}: {OneLine(message)}";
    }

    /// <summary>The word a level is printed as: <c>error</c>, <c>warning</c> or <c>info</c>.</summary>
    public static string LevelWord(DiagnosticLevel level) => level switch
    {
        DiagnosticLevel.Error => "error",
        DiagnosticLevel.Warning => "warning",
        _ => "info",
    };

    /// <summary>
    /// <paramref name="text"/> as one printable line: line breaks, tabs, NUL and other control characters (and the
    /// Unicode line and paragraph separators, and unpaired surrogates) become C#-style escapes (<c>\n</c>,
    /// <c>\u0007</c>), so a value holding a
    /// newline — a path, a device — cannot split one diagnostic over several lines; past <see cref="MaxLineLength"/>
    /// characters the middle is left out and says how much.
    /// </summary>
    public static string OneLine(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                // A pair is one character and stays; a lone half cannot be printed (UTF-8 has no form for it).
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    escaped.Append(c).Append(text[++i]);
                }
                else
                {
                    escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }

                continue;
            }

            switch (c)
            {
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                case '\0': escaped.Append("\\0"); break;
                case < ' ' or '\u007F' or '\u0085' or '\u2028' or '\u2029':
                    escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default: escaped.Append(c); break;
            }
        }

        if (escaped.Length <= MaxLineLength)
        {
            return escaped.ToString();
        }

        const int head = MaxLineLength * 2 / 3, tail = MaxLineLength / 4;
        var left = escaped.Length - head - tail;
        return string.Create(CultureInfo.InvariantCulture, $"{escaped.ToString(0, head)}…({left} characters left out)…{escaped.ToString(escaped.Length - tail, tail)}");
    }

    private static string FormatLocation(string path, (int Line, int Column) position) => $"{path}:{position.Line}:{position.Column}";
}

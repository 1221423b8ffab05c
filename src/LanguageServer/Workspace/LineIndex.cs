using Pipeline.Dsl.Text;
using Pipeline.LanguageServer.Protocol;

namespace Pipeline.LanguageServer.Workspace;

/// <summary>
/// Converts between offsets in a text and the protocol's zero-based (line, UTF-16 character) positions. Lines end at
/// <c>\r\n</c>, <c>\n</c> or <c>\r</c>, as the protocol says. A position past the end of its line or of the text is
/// clamped, so a client's stale or hostile position never throws.
/// </summary>
internal sealed class LineIndex
{
    private readonly string text;
    private readonly int[] starts;

    public LineIndex(string text)
    {
        this.text = text;
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
            }

            if (text[i] is '\n' or '\r')
            {
                lineStarts.Add(i + 1);
            }
        }

        starts = lineStarts.ToArray();
    }

    public int LineCount => starts.Length;

    public Position PositionOf(int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var index = Array.BinarySearch(starts, offset);
        var line = index >= 0 ? index : ~index - 1;
        return new Position(line, offset - starts[line]);
    }

    public Range RangeOf(TextSpan span) => new(PositionOf(span.Start), PositionOf(span.End));

    public int OffsetOf(Position position)
    {
        if (position.Line < 0)
        {
            return 0;
        }

        if (position.Line >= starts.Length)
        {
            return text.Length;
        }

        var start = starts[position.Line];
        return start + Math.Clamp(position.Character, 0, LineEnd(position.Line) - start);
    }

    /// <summary>The offset where a line's text ends, before its line break.</summary>
    private int LineEnd(int line)
    {
        var end = line + 1 < starts.Length ? starts[line + 1] : text.Length;
        while (end > starts[line] && text[end - 1] is '\n' or '\r')
        {
            end--;
        }

        return end;
    }
}

namespace Pipeline.Dsl.Text;

/// <summary>
/// The text of one experiment file with its path, and the line starts needed to turn offsets into
/// 1-based line:column positions. Offsets are kept everywhere else; they become line:column only when printed.
/// </summary>
public sealed class SourceText
{
    private readonly int[] lineStarts;

    public SourceText(string path, string text)
    {
        Path = path;
        Text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        lineStarts = starts.ToArray();
    }

    public string Path { get; }

    public string Text { get; }

    public int LineCount => lineStarts.Length;

    /// <summary>1-based line and column of an offset; columns count UTF-16 code units, as editors do.</summary>
    public (int Line, int Column) GetLineColumn(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var index = Array.BinarySearch(lineStarts, offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - lineStarts[line] + 1);
    }

    /// <summary>The text of a 1-based line, without its line break.</summary>
    public string GetLine(int line)
    {
        var start = lineStarts[line - 1];
        var end = line < lineStarts.Length ? lineStarts[line] : Text.Length;
        return Text[start..end].TrimEnd('\n', '\r');
    }
}

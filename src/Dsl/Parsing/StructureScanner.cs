using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// The structural pre-scan: one iterative pass over the text that finds comments, strings and matching brackets
/// without recursion, so that nesting depth is checked before the recursive parser runs. Recovery uses the
/// bracket pairs to split bodies into members at their boundaries.
/// </summary>
internal sealed class StructureScanner
{
    /// <summary>Deeper nesting than this is refused before Sprache runs (its recursion would grow the stack).</summary>
    public const int MaxDepth = 64;

    private StructureScanner(string text)
    {
        Text = text;
    }

    public string Text { get; }

    /// <summary>Every comment, in order.</summary>
    public List<CommentSyntax> Comments { get; } = [];

    /// <summary>Bracket, string and depth findings.</summary>
    public List<Diagnostic> Diagnostics { get; } = [];

    /// <summary>Whether nesting went past <see cref="MaxDepth"/> (the text must not reach the parser).</summary>
    public bool TooDeep { get; private set; }

    /// <summary>Offset of an opening bracket → offset of its matching closing bracket (absent when unclosed).</summary>
    public Dictionary<int, int> Matches { get; } = [];

    public static StructureScanner Scan(string text)
    {
        var scanner = new StructureScanner(text);
        scanner.Run();
        return scanner;
    }

    private void Run()
    {
        var stack = new Stack<int>();
        var i = 0;
        while (i < Text.Length)
        {
            var c = Text[i];
            if (c == '/' && i + 1 < Text.Length && Text[i + 1] == '/')
            {
                var end = i;
                while (end < Text.Length && Text[end] != '\n')
                {
                    end++;
                }

                var contentEnd = Text[end - 1] == '\r' ? end - 1 : end;
                Comments.Add(new CommentSyntax(TextSpan.FromBounds(i, contentEnd), Text[i..contentEnd]));
                i = end;
            }
            else if (c == '"')
            {
                i = SkipString(i);
            }
            else if (c is '(' or '[' or '{')
            {
                stack.Push(i);
                if (stack.Count > MaxDepth)
                {
                    Diagnostics.Add(DiagnosticBuilder.NestingTooDeep(new TextSpan(i, 1), MaxDepth));
                    TooDeep = true;
                    return;
                }

                i++;
            }
            else if (c is ')' or ']' or '}')
            {
                if (stack.Count == 0)
                {
                    AddCapped(DiagnosticBuilder.UnexpectedClosingBracket(new TextSpan(i, 1), c));
                }
                else if (Closer(Text[stack.Peek()]) != c && stack.Count >= 2 && Closer(Text[stack.ElementAt(1)]) == c)
                {
                    // `[1, 2` then `}`: the '[' was never closed and the '}' closes the brace around it.
                    var unclosed = stack.Pop();
                    AddCapped(DiagnosticBuilder.UnclosedBracket(new TextSpan(unclosed, 1), Text[unclosed], Closer(Text[unclosed])));
                    Matches[stack.Pop()] = i;
                }
                else if (Closer(Text[stack.Peek()]) != c)
                {
                    var open = stack.Pop();
                    var line = 1 + Text.AsSpan(0, open).Count('\n');
                    AddCapped(DiagnosticBuilder.MismatchedBracket(new TextSpan(i, 1), Text[open], line, Closer(Text[open]), c));
                    Matches[open] = i;
                }
                else
                {
                    Matches[stack.Pop()] = i;
                }

                i++;
            }
            else
            {
                i++;
            }
        }

        foreach (var open in stack.Reverse())
        {
            AddCapped(DiagnosticBuilder.UnclosedBracket(new TextSpan(open, 1), Text[open], Closer(Text[open])));
        }
    }

    /// <summary>Keeps at most <see cref="Recovery.MaxErrors"/> structural findings: a broken file needs a few, not thousands.</summary>
    private void AddCapped(Diagnostic diagnostic)
    {
        if (Diagnostics.Count < Recovery.MaxErrors)
        {
            Diagnostics.Add(diagnostic);
        }
    }

    private int SkipString(int start)
    {
        var i = start + 1;
        while (i < Text.Length && Text[i] != '"' && Text[i] != '\n')
        {
            i += Text[i] == '\\' && i + 1 < Text.Length && Text[i + 1] != '\n' ? 2 : 1;
        }

        if (i < Text.Length && Text[i] == '"')
        {
            return i + 1;
        }

        AddCapped(DiagnosticBuilder.UnterminatedString(new TextSpan(start, i - start)));
        return i;
    }

    public static char Closer(char open) => open switch
    {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };

    /// <summary>
    /// Splits [start, end) into member segments at commas and line breaks outside brackets, strings and comments.
    /// A line break followed by '{' does not split, so a stage whose brace starts the next line stays whole.
    /// Segments holding only trivia are dropped.
    /// </summary>
    public List<(int Start, int End)> SplitMembers(int start, int end)
    {
        var segments = new List<(int Start, int End)>();
        var segmentStart = start;
        var i = start;
        while (i < end)
        {
            var c = Text[i];
            if (c == '/' && i + 1 < end && Text[i + 1] == '/')
            {
                while (i < end && Text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '"')
            {
                i++;
                while (i < end && Text[i] != '"' && Text[i] != '\n')
                {
                    i += Text[i] == '\\' && i + 1 < end && Text[i + 1] != '\n' ? 2 : 1;
                }

                if (i < end && Text[i] == '"')
                {
                    i++;
                }

                continue;
            }

            if (c is '(' or '[' or '{')
            {
                // A bracketed region is one piece of a member. An unclosed bracket takes the rest of its line, so
                // that the members on the following lines are still found.
                if (Matches.TryGetValue(i, out var close) && close < end)
                {
                    i = close + 1;
                }
                else
                {
                    while (i < end && Text[i] != '\n')
                    {
                        i++;
                    }
                }

                continue;
            }

            if (c == ',' || (c == '\n' && !NextTokenIsOpenBrace(i + 1, end)))
            {
                AddSegment(segments, segmentStart, i);
                segmentStart = i + 1;
            }

            i++;
        }

        AddSegment(segments, segmentStart, end);
        return segments;
    }

    private bool NextTokenIsOpenBrace(int position, int end)
    {
        position = PipelineGrammar.SkipTrivia(Text, position, end, newlines: true);
        return position < end && Text[position] == '{';
    }

    private void AddSegment(List<(int Start, int End)> segments, int start, int end)
    {
        if (PipelineGrammar.SkipTrivia(Text, start, end, newlines: true) < end)
        {
            segments.Add((start, end));
        }
    }
}

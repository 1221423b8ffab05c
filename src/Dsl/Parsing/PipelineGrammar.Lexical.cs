using System.Globalization;
using System.Text;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;
using Sprache;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// The Sprache grammar of <c>grammar/pipeline.ebnf</c>. One static partial class split by level (lexical, values,
/// declarations); each EBNF production <c>snake_case</c> is the field <c>PascalCase</c> here (a test checks it).
/// Rules are declared bottom-up; <see cref="Ref{T}"/> breaks the cycle (values contain values) and reaches rules of
/// the other parts, whose initialisation order C# leaves unspecified.
/// Tokens skip the trivia before them, never after, so a node's span ends at its last character.
/// </summary>
internal static partial class PipelineGrammar
{
    public const string ExpectedName = "a name";
    public const string ExpectedValue = "a value";
    public const string ExpectedSeparator = "a line break or ','";
    public const string ExpectedString = "a string in double quotes";

    /// <summary>The current offset, consuming nothing.</summary>
    private static readonly Parser<int> CurrentPosition = input => Result.Success(input.Position, input);

    // comment = "//" { ? any character except a line break ? } ;
    internal static readonly Parser<CommentSyntax> Comment = input =>
    {
        var at = AsSource(input);
        var text = at.Source;
        var start = at.Position;
        if (start + 1 >= at.End || text[start] != '/' || text[start + 1] != '/')
        {
            return Result.Failure<CommentSyntax>(input, "expected a comment", ["//"]);
        }

        var end = start + 2;
        while (end < at.End && text[end] != '\n')
        {
            end++;
        }

        var contentEnd = end > start && text[end - 1] == '\r' ? end - 1 : end;
        return Result.Success(new CommentSyntax(TextSpan.FromBounds(start, contentEnd), text[start..contentEnd]), at.At(end));
    };

    // trivia = { ? white space, line breaks included ? | comment } ;
    internal static readonly Parser<int> Trivia = input =>
    {
        var at = AsSource(input);
        var end = SkipTrivia(at.Source, at.Position, at.End, newlines: true);
        return Result.Success(end, at.At(end));
    };

    /// <summary>The start offset of the next token: skips trivia, returns the offset.</summary>
    private static readonly Parser<int> TokenStart = Trivia;

    // identifier = ( ? letter ? | "_" ) { ? letter ? | ? digit ? | "_" } ;
    internal static readonly Parser<IdentifierSyntax> Identifier = input =>
    {
        var (at, start) = SkipLeading(input);
        var end = ScanIdentifier(at.Source, start, at.End);
        if (end == start)
        {
            at.Tracker.Record(start, ExpectedName);
            return Result.Failure<IdentifierSyntax>(at.At(start), "expected a name", [ExpectedName]);
        }

        return Result.Success(new IdentifierSyntax(TextSpan.FromBounds(start, end), at.Source[start..end]), at.At(end));
    };

    // integer_literal = [ "-" ] digits ;
    internal static readonly Parser<IntegerLiteralSyntax> IntegerLiteral = input =>
    {
        var (at, start) = SkipLeading(input);
        var end = ScanNumber(at.Source, start, at.End, out var isReal);
        if (end == start || isReal)
        {
            return Result.Failure<IntegerLiteralSyntax>(at.At(start), "expected an integer", ["an integer"]);
        }

        var text = at.Source[start..end];
        // An integer too large for 64 bits still parses; the validator reports it with its own diagnostic.
        _ = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value);
        return Result.Success(new IntegerLiteralSyntax(TextSpan.FromBounds(start, end), value, text), at.At(end));
    };

    // real_literal = [ "-" ] digits ( "." digits [ exponent ] | exponent ) ;
    // exponent = ( "e" | "E" ) [ "+" | "-" ] digits ;
    internal static readonly Parser<RealLiteralSyntax> RealLiteral = input =>
    {
        var (at, start) = SkipLeading(input);
        var end = ScanNumber(at.Source, start, at.End, out var isReal);
        if (end == start || !isReal)
        {
            return Result.Failure<RealLiteralSyntax>(at.At(start), "expected a real", ["a real"]);
        }

        var text = at.Source[start..end];
        var value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return Result.Success(new RealLiteralSyntax(TextSpan.FromBounds(start, end), value, text), at.At(end));
    };

    // boolean_literal = "true" | "false" ;
    internal static readonly Parser<BooleanLiteralSyntax> BooleanLiteral = input =>
    {
        var (at, start) = SkipLeading(input);
        var end = ScanIdentifier(at.Source, start, at.End);
        var word = at.Source.AsSpan(start, end - start);
        if (word.SequenceEqual(SyntaxKeywords.True) || word.SequenceEqual(SyntaxKeywords.False))
        {
            return Result.Success(new BooleanLiteralSyntax(TextSpan.FromBounds(start, end), word[0] == 't'), at.At(end));
        }

        return Result.Failure<BooleanLiteralSyntax>(at.At(start), "expected true or false", ["true", "false"]);
    };

    // string_literal = '"' { ? any character except '"', '\' and a line break ? | escape_sequence } '"' ;
    // escape_sequence = "\" ( '"' | "\" | "n" | "r" | "t" | "u" hex hex hex hex ) ;
    internal static readonly Parser<StringLiteralSyntax> StringLiteral = input =>
    {
        var (at, start) = SkipLeading(input);
        var text = at.Source;
        if (start >= at.End || text[start] != '"')
        {
            at.Tracker.Record(start, ExpectedString);
            return Result.Failure<StringLiteralSyntax>(at.At(start), "expected a string", [ExpectedString]);
        }

        var builder = new StringBuilder();
        var i = start + 1;
        while (i < at.End && text[i] != '"' && text[i] != '\n')
        {
            if (text[i] == '\\' && i + 1 < at.End && text[i + 1] != '\n')
            {
                i += AppendEscape(text, i, at.End, builder);
            }
            else
            {
                builder.Append(text[i]);
                i++;
            }
        }

        if (i >= at.End || text[i] != '"')
        {
            at.Tracker.Record(i, "'\"'");
            return Result.Failure<StringLiteralSyntax>(at.At(i), "unterminated string", ["'\"'"]);
        }

        return Result.Success(new StringLiteralSyntax(TextSpan.FromBounds(start, i + 1), builder.ToString()), at.At(i + 1));
    };

    // member_separator = "," | ? line break ? | ? before "}" or the end ? ;
    // Trivia on the same line (spaces, a trailing comment) is skipped first.
    internal static readonly Parser<int> MemberSeparator = input =>
    {
        var at = AsSource(input);
        var position = SkipTrivia(at.Source, at.Position, at.End, newlines: false);
        if (position >= at.End || at.Source[position] == '}')
        {
            return Result.Success(position, at.At(position));
        }

        if (at.Source[position] is ',' or '\n')
        {
            return Result.Success(position, at.At(position + 1));
        }

        at.Tracker.Record(position, ExpectedSeparator);
        return Result.Failure<int>(at.At(position), "expected a line break or ','", [ExpectedSeparator]);
    };

    /// <summary>A one-character token such as <c>=</c> or <c>{</c>, after trivia; yields its offset.</summary>
    private static Parser<int> Symbol(char symbol)
    {
        var expected = $"'{symbol}'";
        return input =>
        {
            var (at, start) = SkipLeading(input);
            if (start < at.End && at.Source[start] == symbol)
            {
                return Result.Success(start, at.At(start + 1));
            }

            at.Tracker.Record(start, expected);
            return Result.Failure<int>(at.At(start), $"expected {expected}", [expected]);
        };
    }

    /// <summary>A contextual keyword: an identifier with exactly this text.</summary>
    private static Parser<IdentifierSyntax> Keyword(string word)
    {
        var expected = $"'{word}'";
        return input =>
        {
            var (at, start) = SkipLeading(input);
            var end = ScanIdentifier(at.Source, start, at.End);
            if (at.Source.AsSpan(start, end - start).SequenceEqual(word))
            {
                return Result.Success(new IdentifierSyntax(TextSpan.FromBounds(start, end), word), at.At(end));
            }

            at.Tracker.Record(start, expected);
            return Result.Failure<IdentifierSyntax>(at.At(start), $"expected {expected}", [expected]);
        };
    }

    private static SourceInput AsSource(IInput input) =>
        input as SourceInput ?? throw new InvalidOperationException("The grammar runs only over a SourceInput; call SyntaxTree.Parse.");

    private static (SourceInput Input, int Start) SkipLeading(IInput input)
    {
        var at = AsSource(input);
        return (at, SkipTrivia(at.Source, at.Position, at.End, newlines: true));
    }

    internal static int SkipTrivia(string text, int position, int end, bool newlines)
    {
        while (position < end)
        {
            var c = text[position];
            if (c is ' ' or '\t' or '\r' || (newlines && c == '\n'))
            {
                position++;
            }
            else if (c == '/' && position + 1 < end && text[position + 1] == '/')
            {
                while (position < end && text[position] != '\n')
                {
                    position++;
                }
            }
            else
            {
                break;
            }
        }

        return position;
    }

    internal static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    internal static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || char.IsAsciiDigit(c);

    internal static int ScanIdentifier(string text, int start, int end)
    {
        if (start >= end || !IsIdentifierStart(text[start]))
        {
            return start;
        }

        var i = start + 1;
        while (i < end && IsIdentifierPart(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Scans <c>-?digits(.digits)?([eE][+-]?digits)?</c> not followed by a name character; returns start when none.</summary>
    internal static int ScanNumber(string text, int start, int end, out bool isReal)
    {
        isReal = false;
        var i = start;
        if (i < end && text[i] == '-')
        {
            i++;
        }

        var digitsStart = i;
        while (i < end && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == digitsStart)
        {
            return start;
        }

        if (i + 1 < end && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isReal = true;
            i++;
            while (i < end && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < end && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < end && text[j] is '+' or '-')
            {
                j++;
            }

            if (j < end && char.IsAsciiDigit(text[j]))
            {
                isReal = true;
                i = j;
                while (i < end && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
        }

        return i < end && (IsIdentifierPart(text[i]) || text[i] == '.') ? start : i;
    }

    /// <summary>Appends the character an escape stands for (or the escape as written when it is invalid; the validator reports it).</summary>
    private static int AppendEscape(string text, int backslash, int end, StringBuilder builder)
    {
        var c = text[backslash + 1];
        switch (c)
        {
            case '"': builder.Append('"'); return 2;
            case '\\': builder.Append('\\'); return 2;
            case 'n': builder.Append('\n'); return 2;
            case 'r': builder.Append('\r'); return 2;
            case 't': builder.Append('\t'); return 2;
            case 'u' when IsHex(text, backslash + 2, 4, end):
                builder.Append((char)int.Parse(text.AsSpan(backslash + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                return 6;
            default:
                builder.Append('\\').Append(c);
                return 2;
        }
    }

    internal static bool IsHex(string text, int start, int count, int end)
    {
        if (start + count > end)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiHexDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A forward reference, resolved on first use. Not <see cref="Parse.Ref{T}"/>: that memoises each result on the
    /// input and throws when a failed rule is tried again at the same offset (its left-recursion guard), which
    /// breaks ordinary backtracking between alternatives that start with the same rule.
    /// </summary>
    private static Parser<T> Ref<T>(Func<Parser<T>?> reference)
    {
        Parser<T>? parser = null;
        return input => (parser ??= reference() ?? throw new InvalidOperationException("A grammar rule was used before it was initialised."))(input);
    }

    private static TextSpan Span(int start, int end) => TextSpan.FromBounds(start, end);
}

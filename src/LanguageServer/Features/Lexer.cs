namespace Pipeline.LanguageServer.Features;

/// <summary>
/// Splits text into the language's tokens for completion, forgiving everything: an unclosed string or a stray
/// character becomes a token and the scan goes on. Spaces and tabs are skipped; line breaks are tokens, since they
/// end members.
/// </summary>
internal static class Lexer
{
    public static IEnumerable<Token> Tokens(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var start = i;
            if (c is ' ' or '\t')
            {
                i++;
            }
            else if (c is '\n' or '\r')
            {
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                yield return new Token(TokenKind.Newline, start, i, "\n");
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                i = LineEnd(text, i);
                yield return new Token(TokenKind.Comment, start, i, text[start..i], Open: true);
            }
            else if (c == '"')
            {
                i++;
                var closed = false;
                while (i < text.Length && text[i] is not ('\n' or '\r'))
                {
                    if (text[i] == '\\')
                    {
                        i = Math.Min(i + 2, LineEnd(text, i));
                        continue;
                    }

                    if (text[i++] == '"')
                    {
                        closed = true;
                        break;
                    }
                }

                yield return new Token(TokenKind.String, start, i, text[start..i], Open: !closed);
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                yield return new Token(TokenKind.Identifier, start, i, text[start..i]);
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.' || ((text[i] is '+' or '-') && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                yield return new Token(TokenKind.Number, start, i, text[start..i]);
            }
            else
            {
                i++;
                yield return new Token(TokenKind.Punctuation, start, i, c.ToString());
            }
        }
    }

    private static int LineEnd(string text, int from)
    {
        var end = from;
        while (end < text.Length && text[end] is not ('\n' or '\r'))
        {
            end++;
        }

        return end;
    }
}

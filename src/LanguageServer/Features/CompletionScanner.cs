using Pipeline.Catalog;
using Pipeline.Dsl.Syntax;
using Pipeline.LanguageServer.Analysis;

namespace Pipeline.LanguageServer.Features;

internal enum TokenKind
{
    Identifier,
    Number,
    String,
    Punctuation,
    Newline,
    Comment,

    /// <summary>Stands for a bracketed value that was closed (<c>{ ... }</c>, <c>[ ... ]</c>, <c>( ... )</c>).</summary>
    Value,
}

// Open: for a string or a comment, true when it reaches the end of its line unclosed (a comment always does).
internal readonly record struct Token(TokenKind Kind, int Start, int End, string Text, bool Open = false)
{
    public bool Is(string punctuation) => Kind == TokenKind.Punctuation && Text == punctuation;
}

internal enum FrameKind
{
    /// <summary>Before the experiment's body.</summary>
    File,
    Experiment,

    /// <summary>A stage's body, declared or inline.</summary>
    Stage,
    Map,
    List,
    Call,
}

/// <summary>One open bracket (or the file) and the member, entry, item or argument being written inside it.</summary>
internal sealed class Frame(FrameKind kind, char closer)
{
    public FrameKind Kind { get; } = kind;

    public char Closer { get; } = closer;

    /// <summary>For a stage body: its kind (null when unknown) and, for a declared stage, its name.</summary>
    public StageKind? StageKind { get; init; }

    public string? StageName { get; init; }

    /// <summary>For a map: the map's type. For a list: the type of its items.</summary>
    public PropertyType? Type { get; init; }

    /// <summary>For a call: its parameters, and which positional argument is being written.</summary>
    public IReadOnlyList<PropertyDefinition> Parameters { get; init; } = [];

    public int ArgumentIndex { get; set; }

    /// <summary>The tokens of the member, entry, item or argument being written, since the last separator.</summary>
    public List<Token> Statement { get; } = [];

    /// <summary>Names already written in this frame (properties, map keys, named arguments), so completion does not offer them again.</summary>
    public HashSet<string> Written { get; } = new(StringComparer.Ordinal);
}

/// <summary>Where the cursor is: the innermost frame, the tokens before the word being typed, and that word.</summary>
internal sealed record CompletionSite(Frame Frame, IReadOnlyList<Token> Statement, string Prefix, IReadOnlyList<Frame> Enclosing)
{
    /// <summary>The scanner that found the site, which answers questions about types at it.</summary>
    public required CompletionScanner Scanner { get; init; }

    /// <summary>The declared stage the cursor is in, which must not be offered as its own input.</summary>
    public string? EnclosingStage => Enclosing.Select(f => f.StageName).LastOrDefault(n => n is not null);
}

/// <summary>
/// Reads the text around the cursor the way a person reads half-written code: a lexer and a stack of open brackets,
/// never the parser, so that completion works in a file that does not parse yet (it usually does not, while the
/// user types). Each bracket is classified by what precedes it (<c>ROLE NAME = KIND {</c> opens a stage,
/// <c>= KIND {</c> an inline stage, <c>= {</c> a map of the property's type, <c>x(</c> a call), which gives the type
/// expected at the cursor. The scan continues past the cursor to the end of its frame, to learn which names the
/// frame already holds.
/// </summary>
internal sealed class CompletionScanner
{
    private readonly Func<string, StageKind?> kindOfStage;
    private readonly Stack<Frame> stack = new();

    private CompletionScanner(Func<string, StageKind?> kindOfStage)
    {
        this.kindOfStage = kindOfStage;
        stack.Push(new Frame(FrameKind.File, '\0'));
    }

    /// <summary>The site at <paramref name="offset"/>; null inside a comment or a string, where nothing is completed.</summary>
    public static CompletionSite? Scan(string text, int offset, Func<string, StageKind?> kindOfStage)
    {
        var scanner = new CompletionScanner(kindOfStage);
        CompletionSite? site = null;
        foreach (var token in Lexer.Tokens(text))
        {
            if (site is null)
            {
                if (Inside(token, offset))
                {
                    return null;
                }

                var typing = token.Kind == TokenKind.Identifier && token.Start < offset && offset <= token.End;
                if (typing || token.Start >= offset)
                {
                    site = scanner.Snapshot(typing ? text[token.Start..offset] : string.Empty);
                }
            }

            if (site is not null && !scanner.stack.Contains(site.Frame))
            {
                break;
            }

            scanner.Process(token);
        }

        return site ?? scanner.Snapshot(string.Empty);
    }

    /// <summary>True when the offset lies inside a string or a comment (after its first character).</summary>
    private static bool Inside(Token token, int offset) =>
        token.Kind is TokenKind.String or TokenKind.Comment && token.Start < offset && (offset < token.End || (token.Open && offset == token.End));

    /// <summary>The type of the value being written in a frame's current statement, and the value's tokens so far.</summary>
    public (PropertyType? Type, IReadOnlyList<Token> Value) Expected(Frame frame, IReadOnlyList<Token> statement)
    {
        switch (frame.Kind)
        {
            case FrameKind.Stage when Assignment(statement, "=") is { } value:
                return (frame.StageKind?.FindProperty(statement[0].Text)?.Type, value);
            case FrameKind.Experiment when Assignment(statement, "=") is { } value:
                return (StageCatalog.ExperimentProperties.FirstOrDefault(p => p.Name == statement[0].Text)?.Type, value);
            case FrameKind.Experiment:
                var equals = statement.ToList().FindIndex(t => t.Is("="));
                return equals < 0 ? (null, []) : (OverrideType(statement.Take(equals).ToList()), statement.Skip(equals + 1).ToList());
            case FrameKind.Map when Assignment(statement, ":") is { } value:
                return (KeyType(frame.Type, statement[0].Text), value);
            case FrameKind.List:
                return (frame.Type, statement);
            case FrameKind.Call when Assignment(statement, ":") is { } value:
                return (frame.Parameters.FirstOrDefault(p => p.Name == statement[0].Text)?.Type, value);
            case FrameKind.Call:
                return (frame.Parameters.ElementAtOrDefault(frame.ArgumentIndex)?.Type, statement);
            default:
                return (null, statement);
        }
    }

    /// <summary>The type a value of <paramref name="type"/> holds under the map key <paramref name="key"/>.</summary>
    public static PropertyType? KeyType(PropertyType? type, string key) =>
        CatalogTypes.Find<RecordType>(type)?.Fields.FirstOrDefault(f => f.Name == key)?.Type ?? CatalogTypes.Find<DictionaryType>(type)?.Value;

    /// <summary>The artifact a chain <c>stage.member.member</c> gives; null when a part is unknown.</summary>
    public ArtifactType? ArtifactOf(IReadOnlyList<string> chain)
    {
        var artifact = chain.Count > 0 ? kindOfStage(chain[0])?.Produces : null;
        foreach (var part in chain.Skip(1))
        {
            artifact = artifact is { } owner ? StageCatalog.FindMember(owner, part)?.Result : null;
        }

        return artifact;
    }

    /// <summary>The names of a dotted chain written as <c>a . b . c</c>, or null when the tokens are something else.</summary>
    public static IReadOnlyList<string>? Chain(IReadOnlyList<Token> tokens)
    {
        if (tokens.Count == 0 || tokens.Count % 2 == 0)
        {
            return null;
        }

        var names = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var expected = i % 2 == 0 ? tokens[i].Kind == TokenKind.Identifier : tokens[i].Is(".");
            if (!expected)
            {
                return null;
            }

            if (i % 2 == 0)
            {
                names.Add(tokens[i].Text);
            }
        }

        return names;
    }

    /// <summary>For <c>NAME = value...</c> (or <c>KEY : value...</c>), the value's tokens; null for other statements.</summary>
    private static List<Token>? Assignment(IReadOnlyList<Token> statement, string sign) =>
        statement.Count >= 2 && statement[0].Kind == TokenKind.Identifier && statement[1].Is(sign) ? statement.Skip(2).ToList() : null;

    /// <summary>The type an override <c>STAGE.PROPERTY[.KEY...]</c> sets.</summary>
    private PropertyType? OverrideType(IReadOnlyList<Token> target)
    {
        var chain = Chain(target);
        if (chain is null || chain.Count < 2)
        {
            return null;
        }

        var type = kindOfStage(chain[0])?.FindProperty(chain[1])?.Type;
        foreach (var key in chain.Skip(2))
        {
            type = KeyType(type, key);
        }

        return type;
    }

    private CompletionSite Snapshot(string prefix)
    {
        var frame = stack.Peek();
        return new CompletionSite(frame, frame.Statement.ToList(), prefix, stack.Reverse().ToList()) { Scanner = this };
    }

    private void Process(Token token)
    {
        var frame = stack.Peek();
        switch (token.Kind)
        {
            case TokenKind.Newline:
                if (frame.Kind is FrameKind.File or FrameKind.Experiment or FrameKind.Stage)
                {
                    frame.Statement.Clear();
                }

                return;
            case TokenKind.Punctuation when token.Text == ",":
                frame.Statement.Clear();
                frame.ArgumentIndex++;
                return;
            case TokenKind.Punctuation when token.Text == "{":
                stack.Push(OpenBrace(frame));
                return;
            case TokenKind.Punctuation when token.Text == "[":
                var (type, value) = Expected(frame, frame.Statement);
                var isSweep = value.Count == 1 && value[0].Text == SyntaxKeywords.Sweep;
                stack.Push(new Frame(FrameKind.List, ']') { Type = isSweep ? type : CatalogTypes.ElementOf(type) });
                return;
            case TokenKind.Punctuation when token.Text == "(":
                stack.Push(new Frame(FrameKind.Call, ')') { Parameters = CallParameters(frame) });
                return;
            case TokenKind.Punctuation when token.Text is "}" or "]" or ")":
                Close(token);
                return;
            case TokenKind.Comment:
                return;
        }

        frame.Statement.Add(token);
        var sign = frame.Kind is FrameKind.Stage or FrameKind.Experiment ? "=" : ":";
        if (frame.Statement.Count == 2 && frame.Statement[0].Kind == TokenKind.Identifier && token.Is(sign))
        {
            frame.Written.Add(frame.Statement[0].Text);
        }
    }

    private Frame OpenBrace(Frame frame)
    {
        var statement = frame.Statement;
        if (frame.Kind == FrameKind.File)
        {
            return new Frame(FrameKind.Experiment, '}');
        }

        if (frame.Kind == FrameKind.Experiment && statement.Count == 4 && SyntaxKeywords.IsRole(statement[0].Text) && statement[2].Is("="))
        {
            return new Frame(FrameKind.Stage, '}') { StageKind = StageCatalog.FindKind(statement[3].Text), StageName = statement[1].Text };
        }

        var (type, value) = Expected(frame, statement);
        if (value.Count == 1 && value[0].Kind == TokenKind.Identifier)
        {
            return new Frame(FrameKind.Stage, '}') { StageKind = StageCatalog.FindKind(value[0].Text) };
        }

        return new Frame(FrameKind.Map, '}') { Type = type };
    }

    /// <summary>The parameters of the call whose callee the frame's statement ends with: a variant case, or a member.</summary>
    private IReadOnlyList<PropertyDefinition> CallParameters(Frame frame)
    {
        var (type, value) = Expected(frame, frame.Statement);
        var chain = Chain(value);
        if (chain is null)
        {
            return [];
        }

        if (chain.Count == 1)
        {
            return CatalogTypes.Find<VariantType>(type)?.Cases.FirstOrDefault(c => c.Name == chain[0])?.Parameters ?? [];
        }

        var owner = ArtifactOf(chain.Take(chain.Count - 1).ToList());
        return owner is { } artifact ? StageCatalog.FindMember(artifact, chain[^1])?.Parameters ?? [] : [];
    }

    private void Close(Token token)
    {
        var closer = token.Text[0];
        if (!stack.Any(f => f.Closer == closer))
        {
            return;
        }

        while (stack.Pop().Closer != closer)
        {
        }

        stack.Peek().Statement.Add(new Token(TokenKind.Value, token.Start, token.End, token.Text));
    }
}

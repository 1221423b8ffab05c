namespace Pipeline.LanguageServer.Protocol;

/// <summary>InsertTextFormat 2: <see cref="InsertText"/> is a snippet with tab stops such as <c>$1</c>.</summary>
public sealed record CompletionItem(string Label, int Kind, string? Detail, MarkupContent? Documentation, string? InsertText)
{
    public int? InsertTextFormat { get; init; }

    public string? SortText { get; init; }
}

public sealed record CompletionList(bool IsIncomplete, IReadOnlyList<CompletionItem> Items);

/// <summary>CompletionItemKind values used here.</summary>
public static class CompletionItemKind
{
    public const int Method = 2;
    public const int Field = 5;
    public const int Variable = 6;
    public const int Class = 7;
    public const int Property = 10;
    public const int Keyword = 14;
    public const int EnumMember = 20;
}

public sealed record Hover(MarkupContent Contents, Range Range);

public sealed record ReferenceContext(bool IncludeDeclaration);

public sealed record ReferenceParams(TextDocumentIdentifier TextDocument, Position Position, ReferenceContext? Context) : TextDocumentPositionParams(TextDocument, Position);

public sealed record RenameParams(TextDocumentIdentifier TextDocument, Position Position, string NewName) : TextDocumentPositionParams(TextDocument, Position);

public sealed record PrepareRenameResult(Range Range, string Placeholder);

/// <summary>SymbolKind values used here.</summary>
public static class SymbolKind
{
    public const int Module = 2;
    public const int Class = 5;
    public const int Property = 7;
    public const int Event = 24;
}

public sealed record DocumentSymbol(string Name, string? Detail, int Kind, Range Range, Range SelectionRange, IReadOnlyList<DocumentSymbol> Children);

public sealed record DocumentSymbolParams(TextDocumentIdentifier TextDocument);

public sealed record FormattingOptions(int TabSize, bool InsertSpaces);

public sealed record DocumentFormattingParams(TextDocumentIdentifier TextDocument, FormattingOptions? Options);

/// <summary>The quick fixes come from the server's own diagnostics, so the context the client sends is not read.</summary>
public sealed record CodeActionParams(TextDocumentIdentifier TextDocument, Range Range);

public sealed record CodeAction(string Title, string Kind, IReadOnlyList<LspDiagnostic> Diagnostics, WorkspaceEdit Edit)
{
    public bool IsPreferred => true;
}

public sealed record ExecuteCommandParams(string Command, IReadOnlyList<System.Text.Json.JsonElement>? Arguments);

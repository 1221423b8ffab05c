using System.Text.Json;

namespace Pipeline.LanguageServer.Protocol;

public sealed record WorkspaceFolder(string Uri, string Name);

/// <summary><c>initialize</c>: where the workspace is and what the client can show.</summary>
public sealed record InitializeParams(string? RootUri, IReadOnlyList<WorkspaceFolder>? WorkspaceFolders, JsonElement? Capabilities);

public sealed record ServerInfo(string Name, string Version);

public sealed record InitializeResult(ServerCapabilities Capabilities, ServerInfo ServerInfo);

public sealed record TextDocumentSyncOptions(bool OpenClose, int Change);

public sealed record CompletionOptions(IReadOnlyList<string> TriggerCharacters);

public sealed record RenameOptions(bool PrepareProvider);

public sealed record CodeActionOptions(IReadOnlyList<string> CodeActionKinds);

public sealed record ExecuteCommandOptions(IReadOnlyList<string> Commands);

/// <summary>What the server offers; every feature is declared here and nowhere else.</summary>
public sealed record ServerCapabilities(
    TextDocumentSyncOptions TextDocumentSync,
    CompletionOptions CompletionProvider,
    bool HoverProvider,
    bool DefinitionProvider,
    bool ReferencesProvider,
    RenameOptions RenameProvider,
    bool DocumentSymbolProvider,
    bool DocumentFormattingProvider,
    CodeActionOptions CodeActionProvider,
    ExecuteCommandOptions ExecuteCommandProvider);

/// <summary>TextDocumentSyncKind: 1 sends whole texts, 2 sends edits (incremental).</summary>
public static class TextDocumentSyncKind
{
    public const int Incremental = 2;
}

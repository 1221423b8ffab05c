using System.Text.Json;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Features;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;
using StreamJsonRpc;

namespace Pipeline.LanguageServer.Server;

/// <summary>
/// The JSON-RPC target: one method per protocol message. Messages are handled one at a time in the order they
/// arrive (the host's synchronisation context), so an edit is always analysed before the next request reads it.
/// A bug in a feature is logged to standard error and answered with an empty result: an exception never reaches
/// the editor, and the server keeps going.
/// </summary>
internal sealed class PipelineLanguageServer
{
    private readonly DocumentWorkspace workspace = new();
    private readonly Dictionary<string, DocumentAnalysis> analyses = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TextWriter log;
    private JsonRpc? rpc;
    private bool snippets;
    private bool shutdownRequested;

    public PipelineLanguageServer(TextWriter log)
    {
        this.log = log;
    }

    /// <summary>Completes on the <c>exit</c> notification.</summary>
    public Task Exited => exited.Task;

    /// <summary>0 after <c>shutdown</c> then <c>exit</c>; 1 when the client exits (or goes away) without asking to shut down, as the protocol says.</summary>
    public int ExitCode => shutdownRequested ? 0 : 1;

    public void Attach(JsonRpc connection) => rpc = connection;

    [JsonRpcMethod("initialize", UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams parameters)
    {
        foreach (var folder in parameters.WorkspaceFolders ?? [])
        {
            workspace.AddRoot(DocumentPaths.PathOf(folder.Uri));
        }

        if (parameters.WorkspaceFolders is not { Count: > 0 } && parameters.RootUri is { } root)
        {
            workspace.AddRoot(DocumentPaths.PathOf(root));
        }

        snippets = SnippetSupport(parameters.Capabilities);
        var capabilities = new ServerCapabilities(
            new TextDocumentSyncOptions(OpenClose: true, Change: TextDocumentSyncKind.Incremental),
            new CompletionOptions([".", "(", "[", "{", ",", ":", "="]),
            HoverProvider: true,
            DefinitionProvider: true,
            ReferencesProvider: true,
            new RenameOptions(PrepareProvider: true),
            DocumentSymbolProvider: true,
            DocumentFormattingProvider: true,
            new CodeActionOptions(["quickfix"]),
            new ExecuteCommandOptions([SemanticDiffCommand.Name]));
        return new InitializeResult(capabilities, new ServerInfo("pipeline", typeof(PipelineLanguageServer).Assembly.GetName().Version?.ToString() ?? "0.0.0"));
    }

    [JsonRpcMethod("initialized", UseSingleObjectParameterDeserialization = true)]
    public void Initialized(JsonElement? parameters)
    {
    }

    [JsonRpcMethod("shutdown")]
    public object? Shutdown()
    {
        shutdownRequested = true;
        return null;
    }

    /// <summary>A malformed request (see <see cref="MessageGate"/>), answered with InvalidRequest.</summary>
    [JsonRpcMethod(MessageGate.InvalidMethod)]
    public object? InvalidMessage() =>
        throw new LocalRpcException("The message is not a valid JSON-RPC 2.0 request: 'method' must be a string and 'params' an object or an array.") { ErrorCode = (int)StreamJsonRpc.Protocol.JsonRpcErrorCode.InvalidRequest };

    [JsonRpcMethod("exit")]
    public void Exit() => exited.TrySetResult();

    [JsonRpcMethod("textDocument/didOpen", UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams parameters) => Guard("didOpen", () =>
    {
        var item = parameters.TextDocument;
        Update(new OpenDocument(item.Uri, item.Version, item.Text ?? string.Empty));
    });

    [JsonRpcMethod("textDocument/didChange", UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams parameters) => Guard("didChange", () =>
    {
        if (workspace.Find(parameters.TextDocument.Uri) is { } document)
        {
            Update(document.WithChanges(parameters.TextDocument.Version, parameters.ContentChanges ?? []));
        }
    });

    [JsonRpcMethod("textDocument/didClose", UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams parameters) => Guard("didClose", () =>
    {
        var uri = parameters.TextDocument.Uri;
        workspace.Remove(uri);
        analyses.Remove(uri);
        Publish(new PublishDiagnosticsParams(uri, null, []));
    });

    [JsonRpcMethod("textDocument/completion", UseSingleObjectParameterDeserialization = true)]
    public CompletionList Completion(TextDocumentPositionParams parameters) => Guard("completion", new CompletionList(false, []), () =>
        At(parameters, (document, analysis, offset) => new CompletionList(false, new CompletionProvider(analysis, snippets).Complete(document.Text, offset)))
        ?? new CompletionList(false, []));

    [JsonRpcMethod("textDocument/hover", UseSingleObjectParameterDeserialization = true)]
    public Hover? Hover(TextDocumentPositionParams parameters) => Guard("hover", null, () =>
        At(parameters, (document, analysis, offset) => HoverProvider.Hover(analysis, document.Lines, offset)));

    [JsonRpcMethod("textDocument/definition", UseSingleObjectParameterDeserialization = true)]
    public Location? Definition(TextDocumentPositionParams parameters) => Guard("definition", null, () =>
        At(parameters, (_, analysis, offset) => Navigation().Definition(analysis, offset)));

    [JsonRpcMethod("textDocument/references", UseSingleObjectParameterDeserialization = true)]
    public IReadOnlyList<Location> References(ReferenceParams parameters) => Guard<IReadOnlyList<Location>>("references", [], () =>
        At(parameters, (_, analysis, offset) => Navigation().References(analysis, offset, parameters.Context?.IncludeDeclaration ?? true)) ?? []);

    [JsonRpcMethod("textDocument/prepareRename", UseSingleObjectParameterDeserialization = true)]
    public PrepareRenameResult? PrepareRename(TextDocumentPositionParams parameters) => Guard("prepareRename", null, () =>
        At(parameters, (document, analysis, offset) => Navigation().PrepareRename(analysis, document.Lines, offset)));

    [JsonRpcMethod("textDocument/rename", UseSingleObjectParameterDeserialization = true)]
    public WorkspaceEdit? Rename(RenameParams parameters) => Guard("rename", null, () =>
        At(parameters, (_, analysis, offset) => Navigation().Rename(analysis, offset, parameters.NewName ?? string.Empty)));

    [JsonRpcMethod("textDocument/documentSymbol", UseSingleObjectParameterDeserialization = true)]
    public IReadOnlyList<DocumentSymbol> DocumentSymbol(DocumentSymbolParams parameters) => Guard<IReadOnlyList<DocumentSymbol>>("documentSymbol", [], () =>
        Open(parameters.TextDocument) is var (document, analysis) ? DocumentSymbols.Outline(analysis, document.Lines) : []);

    [JsonRpcMethod("textDocument/formatting", UseSingleObjectParameterDeserialization = true)]
    public IReadOnlyList<TextEdit> Formatting(DocumentFormattingParams parameters) => Guard<IReadOnlyList<TextEdit>>("formatting", [], () =>
        Open(parameters.TextDocument) is var (document, analysis) ? Features.Formatting.Format(analysis, document.Text, document.Lines) : []);

    [JsonRpcMethod("textDocument/codeAction", UseSingleObjectParameterDeserialization = true)]
    public IReadOnlyList<CodeAction> CodeAction(CodeActionParams parameters) => Guard<IReadOnlyList<CodeAction>>("codeAction", [], () =>
        Open(parameters.TextDocument) is var (document, analysis) && parameters.Range is { } range
            ? CodeActions.QuickFixes(analysis, document.Uri, document.Text, document.Lines, range)
            : []);

    /// <summary><c>pipeline.semanticDiff</c> with the document's URI: the semantic diff against git HEAD, as text.</summary>
    [JsonRpcMethod("workspace/executeCommand", UseSingleObjectParameterDeserialization = true)]
    public string? ExecuteCommand(ExecuteCommandParams parameters) => Guard("executeCommand", null, () =>
    {
        if (parameters.Command != SemanticDiffCommand.Name)
        {
            throw new LocalRpcException($"Unknown command '{parameters.Command}'; this server runs {SemanticDiffCommand.Name}.") { ErrorCode = (int)StreamJsonRpc.Protocol.JsonRpcErrorCode.InvalidParams };
        }

        var uri = parameters.Arguments is [{ ValueKind: JsonValueKind.String } argument, ..] ? argument.GetString() : null;
        var analysis = uri is null ? null : Open(new TextDocumentIdentifier(uri))?.Analysis;
        return analysis is null
            ? throw new LocalRpcException($"{SemanticDiffCommand.Name} takes the URI of an open document as its argument.") { ErrorCode = (int)StreamJsonRpc.Protocol.JsonRpcErrorCode.InvalidParams }
            : SemanticDiffCommand.Run(analysis);
    });

    private static bool SnippetSupport(JsonElement? capabilities)
    {
        var element = capabilities ?? default;
        foreach (var name in new[] { "textDocument", "completion", "completionItem", "snippetSupport" })
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return false;
            }
        }

        return element.ValueKind == JsonValueKind.True;
    }

    private Navigation Navigation() => new(workspace, AnalysisOf);

    /// <summary>The analysis of a file by path: the open document's current one, else the file on disk's.</summary>
    private DocumentAnalysis? AnalysisOf(string path)
    {
        if (workspace.FindByPath(path) is { } document && analyses.TryGetValue(document.Uri, out var open))
        {
            return open;
        }

        var text = workspace.Read(path);
        return text is null ? null : new DocumentAnalysis(path, text, workspace.Read);
    }

    private (OpenDocument Document, DocumentAnalysis Analysis)? Open(TextDocumentIdentifier? identifier) =>
        identifier?.Uri is { } uri && workspace.Find(uri) is { } document && analyses.TryGetValue(uri, out var analysis) ? (document, analysis) : null;

    private T? At<T>(TextDocumentPositionParams parameters, Func<OpenDocument, DocumentAnalysis, int, T?> feature)
        where T : class =>
        Open(parameters.TextDocument) is var (document, analysis) && parameters.Position is { } position
            ? feature(document, analysis, document.Lines.OffsetOf(position))
            : null;

    /// <summary>Stores the document's new text, analyses it, and publishes its diagnostics and those of the open documents that extend it.</summary>
    private void Update(OpenDocument document)
    {
        workspace.Set(document);
        Analyse(document);
        foreach (var other in workspace.Documents.Where(d => d.Uri != document.Uri).ToList())
        {
            if (analyses.TryGetValue(other.Uri, out var previous) && previous.Resolved.Files.Skip(1).Any(f => DocumentPaths.Same(f.Source.Path, document.Path)))
            {
                Analyse(other);
            }
        }
    }

    private void Analyse(OpenDocument document)
    {
        var analysis = new DocumentAnalysis(document.Path, document.Text, workspace.Read);
        analyses[document.Uri] = analysis;
        Publish(new PublishDiagnosticsParams(document.Uri, document.Version, DiagnosticsConverter.Convert(analysis, document.Lines)));
    }

    private void Publish(PublishDiagnosticsParams diagnostics)
    {
        // Waited for, so that notifications leave in the order of the edits that caused them.
        rpc?.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", diagnostics).GetAwaiter().GetResult();
    }

    private void Guard(string method, Action body) => Guard(method, true, () =>
    {
        body();
        return true;
    });

    private T Guard<T>(string method, T fallback, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception error) when (error is not (LocalRpcException or OperationCanceledException or ConnectionLostException))
        {
            log.WriteLine($"pipeline lsp: {method} failed, answered with an empty result: {error}");
            return fallback;
        }
    }
}

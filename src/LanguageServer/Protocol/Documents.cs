namespace Pipeline.LanguageServer.Protocol;

public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

/// <summary>One edit: <see cref="Range"/> replaced by <see cref="Text"/>, or the whole text when the range is absent.</summary>
public sealed record TextDocumentContentChangeEvent(Range? Range, string Text);

public sealed record DidChangeTextDocumentParams(VersionedTextDocumentIdentifier TextDocument, IReadOnlyList<TextDocumentContentChangeEvent> ContentChanges);

public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record DiagnosticRelatedInformation(Location Location, string Message);

/// <summary>DiagnosticSeverity: 1 error, 2 warning, 3 information.</summary>
public sealed record LspDiagnostic(Range Range, int Severity, string Code, string Source, string Message)
{
    public IReadOnlyList<DiagnosticRelatedInformation>? RelatedInformation { get; init; }
}

public sealed record PublishDiagnosticsParams(string Uri, int? Version, IReadOnlyList<LspDiagnostic> Diagnostics);

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.LanguageServer.Protocol;

// The parts of the Language Server Protocol 3.17 this server speaks, as records that System.Text.Json writes in the
// protocol's camelCase. Only the fields the server reads or writes are declared; unknown fields a client sends are
// ignored. Names follow the specification so that a reader can look each one up there.

/// <summary>A zero-based line and a zero-based character offset in UTF-16 code units, as editors count.</summary>
public sealed record Position(int Line, int Character);

/// <summary>A half-open range [Start, End).</summary>
public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed record TextEdit(Range Range, string NewText);

public sealed record WorkspaceEdit(IReadOnlyDictionary<string, IReadOnlyList<TextEdit>> Changes);

public sealed record TextDocumentIdentifier(string Uri);

public sealed record TextDocumentItem(string Uri, string LanguageId, int Version, string Text);

public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

/// <summary>A request that names a document and a position in it (hover, completion, definition, ...).</summary>
public record TextDocumentPositionParams(TextDocumentIdentifier TextDocument, Position Position);

/// <summary>Markdown shown by the editor (hover, completion documentation).</summary>
public sealed record MarkupContent(string Value)
{
    public string Kind => "markdown";
}

/// <summary>The options the protocol uses for the JSON of every message.</summary>
public static class ProtocolJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,

        // Messages go to an editor, never into HTML: quotes and non-ASCII text ('§4.2', '→') are written as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

using System.Text;
using Pipeline.LanguageServer.Protocol;

namespace Pipeline.LanguageServer.Workspace;

/// <summary>The text of a document the editor has open, at one version. Immutable: an edit makes a new document.</summary>
internal sealed class OpenDocument
{
    private readonly Lazy<LineIndex> lines;

    public OpenDocument(string uri, int version, string text)
    {
        Uri = uri;
        Version = version;
        Text = text;
        Path = DocumentPaths.PathOf(uri);
        lines = new Lazy<LineIndex>(() => new LineIndex(Text));
    }

    public string Uri { get; }

    /// <summary>The path the compiler sees: the local file for a <c>file:</c> URI, else the URI itself.</summary>
    public string Path { get; }

    public int Version { get; }

    public string Text { get; }

    public LineIndex Lines => lines.Value;

    /// <summary>Applies the editor's changes in order, each against the text the previous one left (incremental sync).</summary>
    public OpenDocument WithChanges(int version, IEnumerable<TextDocumentContentChangeEvent> changes)
    {
        var text = Text;
        var index = Lines;
        foreach (var change in changes)
        {
            if (change.Range is null)
            {
                text = change.Text ?? string.Empty;
            }
            else
            {
                var start = index.OffsetOf(change.Range.Start);
                var end = Math.Max(start, index.OffsetOf(change.Range.End));
                text = new StringBuilder(text.Length + (change.Text?.Length ?? 0))
                    .Append(text, 0, start)
                    .Append(change.Text)
                    .Append(text, end, text.Length - end)
                    .ToString();
            }

            index = new LineIndex(text);
        }

        return new OpenDocument(Uri, version, text);
    }
}

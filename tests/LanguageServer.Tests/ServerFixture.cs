using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>One server for a test class whose tests only read (completion, hover): started once, shut down at the end.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private int version;

    internal LspProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await LspProcess.Initialized(RepoPaths.Examples, new { textDocument = new { completion = new { completionItem = new { snippetSupport = true } } } });

    public async Task DisposeAsync()
    {
        Assert.Equal(0, await Server.ShutDown());
        await Server.DisposeAsync();
    }

    /// <summary>
    /// Shows <paramref name="text"/> as the document <paramref name="path"/> (opened the first time, replaced after)
    /// and returns the zero-based position of the <c>|</c> it marks, which is removed.
    /// </summary>
    internal async Task<object> Show(string path, string text)
    {
        var offset = text.IndexOf('|', StringComparison.Ordinal);
        text = offset < 0 ? text : text.Remove(offset, 1);
        if (version++ == 0)
        {
            Server.Open(path, text);
        }
        else
        {
            Server.Change(path, version, new { text });
        }

        await Server.Diagnostics(path);
        var before = text[..Math.Max(0, offset)];
        var line = before.Count(c => c == '\n');
        return LspProcess.Position(line, before.Length - (before.LastIndexOf('\n') + 1));
    }
}

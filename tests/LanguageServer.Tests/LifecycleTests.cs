using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>initialize, shutdown and exit, as an editor drives them.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Initialize_declares_every_feature_and_exit_after_shutdown_exits_0()
    {
        await using var server = LspProcess.Start();
        var reply = await server.Request("initialize", new { processId = (int?)null, rootUri = LspProcess.Uri(RepoPaths.Examples), capabilities = new { } });
        Assert.Equal(
            """{"jsonrpc":"2.0","id":1,"result":{"capabilities":{"textDocumentSync":{"openClose":true,"change":2},"completionProvider":{"triggerCharacters":[".","(","[","{",",",":","="]},"hoverProvider":true,"definitionProvider":true,"referencesProvider":true,"renameProvider":{"prepareProvider":true},"documentSymbolProvider":true,"documentFormattingProvider":true,"codeActionProvider":{"codeActionKinds":["quickfix"]},"executeCommandProvider":{"commands":["pipeline.semanticDiff"]}},"serverInfo":{"name":"pipeline","version":"0.1.0.0"}}}""",
            reply.Text());
        server.Notify("initialized", new { });
        Assert.Equal(0, await server.ShutDown());
        Assert.DoesNotContain("failed", server.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_without_shutdown_exits_1_and_an_unknown_request_gets_method_not_found()
    {
        await using var server = await LspProcess.Initialized(RepoPaths.Examples);
        var reply = await server.Request("textDocument/unknownFeature", new { });
        Assert.Equal(-32601, reply["error"]!["code"]!.GetValue<int>());
        server.Notify("exit", null);
        Assert.Equal(1, await server.WaitForExit());
    }
}

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

    [Fact]
    public async Task Malformed_messages_get_one_line_errors_and_the_server_keeps_serving()
    {
        await using var server = await LspProcess.Initialized(RepoPaths.Examples);
        Assert.Equal(
            """{"jsonrpc":"2.0","id":101,"error":{"code":-32600,"message":"The message is not a valid JSON-RPC 2.0 request: 'method' must be a string and 'params' an object or an array."}}""",
            (await server.SendRaw("""{"jsonrpc":"2.0","id":101,"method":"textDocument/hover","params":17}""", 101)).Text());
        Assert.Equal(
            """{"jsonrpc":"2.0","id":102,"error":{"code":-32602,"message":"The parameters of textDocument/hover are not what the Language Server Protocol says they are."}}""",
            (await server.SendRaw("""{"jsonrpc":"2.0","id":102,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.pipe"},"position":"top"}}""", 102)).Text());
        await server.SendRaw("this is not JSON", null);
        await server.SendRaw("""[1, 2, 3]""", null);
        await server.SendRaw("""{"jsonrpc":"2.0","method":7}""", null);

        var diagnostics = await server.OpenAndDiagnose(Examples.Hello);
        Assert.Equal("[]", diagnostics.Text());
        Assert.Equal(0, await server.ShutDown());
    }
}

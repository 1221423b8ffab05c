using Microsoft.VisualStudio.Threading;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Server;
using StreamJsonRpc;

namespace Pipeline.LanguageServer;

/// <summary>Runs the language server over a pair of streams (standard input and output for <c>pipeline lsp</c>).</summary>
public static class LanguageServerHost
{
    /// <summary>
    /// Serves until the client sends <c>exit</c> or closes the input; returns the process's exit code (0 after
    /// <c>shutdown</c> and <c>exit</c>, else 1). Nothing but protocol messages is written to <paramref name="output"/>;
    /// <paramref name="log"/> (standard error) gets what a person debugging the server needs.
    /// </summary>
    public static async Task<int> RunAsync(Stream input, Stream output, TextWriter log)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = ProtocolJson.Options };
        var server = new PipelineLanguageServer(log);
        var gate = new MessageGate(input, log);
        using var rpc = new ServerRpc(new HeaderDelimitedMessageHandler(System.IO.Pipelines.PipeWriter.Create(output), gate.Reader, formatter), log)
        {
            // One message at a time, in order: an edit is analysed before the request that follows it.
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
        };
        rpc.TraceSource.Switch.Level = System.Diagnostics.SourceLevels.Error;
        rpc.TraceSource.Listeners.Add(new System.Diagnostics.TextWriterTraceListener(log));
        rpc.AddLocalRpcTarget(server, new JsonRpcTargetOptions { DisposeOnDisconnect = false });
        server.Attach(rpc);
        rpc.StartListening();
        // The gate reads until the input ends; the process ends with the exit notification, whatever it is reading then.
        _ = Task.Run(gate.RunAsync);
        await Task.WhenAny(rpc.Completion, server.Exited).ConfigureAwait(false);
        return server.ExitCode;
    }
}

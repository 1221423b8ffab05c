using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Nerdbank.Streams;
using Pipeline.LanguageServer;
using StreamJsonRpc;

namespace Pipeline.Bench;

/// <summary>
/// The language server's latency as an editor sees it: from a <c>didChange</c> of one value in the largest example
/// to the <c>publishDiagnostics</c> it causes (parse, compose, bind, type-check, hash, and the JSON-RPC both ways),
/// with the server in process over an in-memory duplex stream. Target: under 30 ms. Each edit alternates a valid
/// value and an out-of-range one, so every other reply carries a new diagnostic.
/// Run: <c>dotnet run -c Release --project bench/Pipeline.Bench -- --filter '*LanguageServerBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class LanguageServerBenchmarks
{
    private JsonRpc client = null!;
    private Task<int> server = null!;
    private TaskCompletionSource<int> published = new();
    private string uri = string.Empty;
    private object range = null!;
    private int version = 1;

    [GlobalSetup]
    public void Setup()
    {
        var (serverSide, clientSide) = FullDuplexStream.CreatePair();
        server = LanguageServerHost.RunAsync(serverSide, serverSide, TextWriter.Null);
        client = new JsonRpc(new HeaderDelimitedMessageHandler(clientSide, clientSide, new SystemTextJsonFormatter()));
        client.AddLocalRpcTarget(new Editor(this));
        client.StartListening();

        var path = ParseBenchmarks.LargestExample();
        var text = File.ReadAllText(path);
        uri = new Uri(path).AbsoluteUri;
        var lines = text.Split('\n');
        var line = Array.FindIndex(lines, l => l.TrimStart().StartsWith("seed = ", StringComparison.Ordinal));
        var column = lines[line].IndexOf("= ", StringComparison.Ordinal) + 2;
        range = new { start = new { line, character = column }, end = new { line, character = lines[line].Length } };

        client.InvokeWithParameterObjectAsync<JsonElement>("initialize", new { processId = (int?)null, rootUri = new Uri(Path.GetDirectoryName(path)!).AbsoluteUri, capabilities = new { } }).GetAwaiter().GetResult();
        Wait(() => client.NotifyWithParameterObjectAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "pipeline", version, text } }));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        client.InvokeWithParameterObjectAsync<object?>("shutdown").GetAwaiter().GetResult();
        client.NotifyAsync("exit").GetAwaiter().GetResult();
        server.GetAwaiter().GetResult();
        client.Dispose();
    }

    /// <summary>One edit of the seed (7, then -1, out of range) and the diagnostics it brings back.</summary>
    [Benchmark]
    public int DiagnosticsAfterEdit()
    {
        version++;
        var text = version % 2 == 0 ? "-1" : "7";
        return Wait(() => client.NotifyWithParameterObjectAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = new[] { new { range, text } } }));
    }

    /// <summary>The editor's side: it only receives diagnostics.</summary>
    private sealed class Editor(LanguageServerBenchmarks benchmark)
    {
        [JsonRpcMethod("textDocument/publishDiagnostics", UseSingleObjectParameterDeserialization = true)]
        public void PublishDiagnostics(JsonElement parameters) => benchmark.published.TrySetResult(parameters.GetProperty("version").GetInt32());
    }

    private int Wait(Func<Task> send)
    {
        published = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        send().GetAwaiter().GetResult();
        return published.Task.GetAwaiter().GetResult();
    }
}

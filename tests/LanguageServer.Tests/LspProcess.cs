using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>
/// A minimal editor: starts <c>pipeline lsp</c> as a process and speaks JSON-RPC to it with Content-Length framing,
/// as VS Code does. Replies are kept as raw JSON so that tests assert on exactly what an editor receives.
/// </summary>
internal sealed class LspProcess : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process process;
    private readonly Channel<JsonObject> incoming = Channel.CreateUnbounded<JsonObject>();
    private readonly List<JsonObject> notifications = [];
    private readonly StringBuilder standardError = new();
    private readonly Stream input;
    private int nextId;

    private LspProcess(Process process)
    {
        this.process = process;
        input = process.StandardInput.BaseStream;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (standardError)
            {
                standardError.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        _ = Task.Run(ReadMessages);
    }

    /// <summary>The CLI assembly built beside the tests' project (the project builds it, without copying it here).</summary>
    public static string CliAssembly => typeof(LspProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PipelineCli").Value!;

    /// <summary>Every raw message the server sent, in order (replies and notifications).</summary>
    public List<string> Received { get; } = [];

    public string StandardError
    {
        get
        {
            lock (standardError)
            {
                return standardError.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    public static LspProcess Start()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(CliAssembly);
        info.ArgumentList.Add("lsp");
        return new LspProcess(Process.Start(info)!);
    }

    /// <summary>Starts the server and initializes it with the folder as the workspace.</summary>
    public static async Task<LspProcess> Initialized(string workspaceFolder, object? capabilities = null)
    {
        var server = Start();
        var reply = await server.Request("initialize", new { processId = Environment.ProcessId, rootUri = Uri(workspaceFolder), capabilities = capabilities ?? new { } });
        Assert.NotNull(reply["result"]);
        server.Notify("initialized", new { });
        return server;
    }

    public static string Uri(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>Sends a request and waits for its reply (the whole message: <c>result</c> or <c>error</c>).</summary>
    public async Task<JsonObject> Request(string method, object? parameters)
    {
        var id = ++nextId;
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = JsonSerializer.SerializeToNode(parameters, Json) });
        while (true)
        {
            var message = await Next();
            if (message["id"]?.GetValue<int>() == id && message["method"] is null)
            {
                return message;
            }

            notifications.Add(message);
        }
    }

    /// <summary>The result of a request, which must not be an error.</summary>
    public async Task<JsonNode?> Result(string method, object? parameters)
    {
        var reply = await Request(method, parameters);
        Assert.True(reply["error"] is null, $"{method} failed: {reply.Text()}");
        return reply["result"];
    }

    /// <summary>Sends a message body as it is, however malformed, and (when it has an id) waits for the reply to that id.</summary>
    public async Task<JsonObject?> SendRaw(string body, int? id)
    {
        Send(Encoding.UTF8.GetBytes(body));
        while (id is not null)
        {
            var message = await Next();
            if (message["method"] is null && message["id"] is JsonValue value && value.TryGetValue<int>(out var replyId) && replyId == id)
            {
                return message;
            }

            notifications.Add(message);
        }

        return null;
    }

    public void Notify(string method, object? parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = JsonSerializer.SerializeToNode(parameters, Json) });

    /// <summary>The next notification of the method (earlier ones of other methods are kept).</summary>
    public async Task<JsonObject> Notification(string method)
    {
        var kept = notifications.FirstOrDefault(n => n["method"]?.GetValue<string>() == method);
        if (kept is not null)
        {
            notifications.Remove(kept);
            return kept;
        }

        while (true)
        {
            var message = await Next();
            if (message["method"]?.GetValue<string>() == method)
            {
                return message;
            }

            notifications.Add(message);
        }
    }

    public void Open(string path, string? text = null, int version = 1) =>
        Notify("textDocument/didOpen", new { textDocument = new { uri = Uri(path), languageId = "pipeline", version, text = text ?? File.ReadAllText(path) } });

    /// <summary>Opens a document and returns the diagnostics published for it.</summary>
    public async Task<JsonArray> OpenAndDiagnose(string path, string? text = null)
    {
        Open(path, text);
        return await Diagnostics(path);
    }

    /// <summary>The next diagnostics published for the document.</summary>
    public async Task<JsonArray> Diagnostics(string path)
    {
        while (true)
        {
            var published = await Notification("textDocument/publishDiagnostics");
            if (published["params"]!["uri"]!.GetValue<string>() == Uri(path))
            {
                return published["params"]!["diagnostics"]!.AsArray();
            }
        }
    }

    public void Change(string path, int version, params object[] changes) =>
        Notify("textDocument/didChange", new { textDocument = new { uri = Uri(path), version }, contentChanges = changes });

    public static object Position(int line, int character) => new { line, character };

    public static object At(string path, int line, int character) => new { textDocument = new { uri = Uri(path) }, position = Position(line, character) };

    /// <summary><c>shutdown</c> then <c>exit</c>; returns the process's exit code.</summary>
    public async Task<int> ShutDown()
    {
        var reply = await Request("shutdown", null);
        Assert.Equal("""{"jsonrpc":"2.0","id":""" + nextId + ""","result":null}""", reply.Text());
        Notify("exit", null);
        return await WaitForExit();
    }

    public async Task<int> WaitForExit()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Send(JsonObject message) => Send(Encoding.UTF8.GetBytes(message.Text()));

    private void Send(byte[] body)
    {
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        input.Write(header);
        input.Write(body);
        input.Flush();
    }

    private async Task<JsonObject> Next()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await incoming.Reader.ReadAsync(timeout.Token);
        }
        catch (Exception error) when (error is OperationCanceledException or ChannelClosedException)
        {
            throw new InvalidOperationException($"no message from pipeline lsp (exited: {process.HasExited}); its standard error:\n{StandardError}", error);
        }
    }

    private async Task ReadMessages()
    {
        var output = process.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                var length = -1;
                string? line;
                while (!string.IsNullOrEmpty(line = await ReadHeaderLine(output)))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                if (line is null || length < 0)
                {
                    break;
                }

                var body = new byte[length];
                await output.ReadExactlyAsync(body);
                var text = Encoding.UTF8.GetString(body);
                lock (Received)
                {
                    Received.Add(text);
                }

                await incoming.Writer.WriteAsync(JsonNode.Parse(text)!.AsObject());
            }
        }
        finally
        {
            incoming.Writer.TryComplete();
        }
    }

    /// <summary>One header line without its CRLF; null at the end of the stream.</summary>
    private static async Task<string?> ReadHeaderLine(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            }

            bytes.Add(one[0]);
        }
    }
}

using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.LanguageServer.Server;

/// <summary>
/// Reads the client's framed messages before StreamJsonRpc does and passes on only well-formed JSON-RPC:
/// StreamJsonRpc closes the connection on a message it cannot read (text that is not JSON, <c>"params": 17</c>),
/// which would end the server. A malformed request that has an id becomes a call of <see cref="InvalidMethod"/>
/// (answered with InvalidRequest); anything else malformed is logged and dropped, since it has no id to answer.
/// </summary>
internal sealed class MessageGate(Stream input, TextWriter log)
{
    /// <summary>The method a malformed request is turned into; the server answers it with an error.</summary>
    public const string InvalidMethod = "$/pipeline/invalidMessage";

    /// <summary>Larger messages are refused rather than read into memory (a document is at most 1 MiB, and JSON escapes grow it).</summary>
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly Pipe pipe = new();

    /// <summary>What StreamJsonRpc reads: the messages that passed, framed again.</summary>
    public PipeReader Reader => pipe.Reader;

    /// <summary>Copies messages until the input ends or its framing breaks (then the connection closes, as with any LSP server).</summary>
    public async Task RunAsync()
    {
        try
        {
            while (await ReadMessageAsync() is { } body)
            {
                if (Sanitise(body) is { } message)
                {
                    var bytes = Encoding.UTF8.GetBytes(message);
                    await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"));
                    await pipe.Writer.WriteAsync(bytes);
                }
            }
        }
        catch (Exception error) when (error is IOException or InvalidDataException or ObjectDisposedException)
        {
            log.WriteLine($"pipeline lsp: the client's messages cannot be read any more ({error.Message}); closing.");
        }
        finally
        {
            await pipe.Writer.CompleteAsync();
        }
    }

    /// <summary>The message itself when it is well-formed; a call of <see cref="InvalidMethod"/>; or null to drop it.</summary>
    private string? Sanitise(byte[] body)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            log.WriteLine("pipeline lsp: dropped a message that is not a JSON object.");
            return null;
        }

        var id = message["id"];
        var hasUsableId = id is JsonValue value && (value.TryGetValue<long>(out _) || value.TryGetValue<string>(out _));
        var method = message["method"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : null;
        var parameters = message["params"];
        var wellFormed = (method is not null || (hasUsableId && message.ContainsKey("result") != message.ContainsKey("error")))
            && (id is null || hasUsableId)
            && parameters is null or JsonObject or JsonArray;
        if (wellFormed)
        {
            return Encoding.UTF8.GetString(body);
        }

        if (hasUsableId)
        {
            return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id!.DeepClone(), ["method"] = InvalidMethod }.ToJsonString();
        }

        log.WriteLine("pipeline lsp: dropped a malformed notification.");
        return null;
    }

    /// <summary>One message body by its Content-Length header; null at the end of the input.</summary>
    private async Task<byte[]?> ReadMessageAsync()
    {
        var length = -1;
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.TryParse(line[(colon + 1)..].Trim(), out var parsed) ? parsed : -1;
            }
        }

        if (length < 0 || length > MaxMessageBytes)
        {
            throw new InvalidDataException("a message without a valid Content-Length header");
        }

        var body = new byte[length];
        await input.ReadExactlyAsync(body);
        return body;
    }

    private async Task<string?> ReadLineAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await input.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            }

            if (bytes.Count > 4096)
            {
                throw new InvalidDataException("a header line longer than 4 KiB");
            }

            bytes.Add(one[0]);
        }

        return bytes.Count == 0 ? null : throw new EndOfStreamException("the input ended inside a header");
    }
}

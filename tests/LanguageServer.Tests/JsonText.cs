using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.LanguageServer.Tests;

internal static class JsonText
{
    private static readonly JsonSerializerOptions Plain = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON as the server writes it: quotes and non-ASCII characters unescaped.</summary>
    public static string Text(this JsonNode? node) => node?.ToJsonString(Plain) ?? "null";
}

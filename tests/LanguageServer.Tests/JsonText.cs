using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.LanguageServer.Tests;

internal static class JsonText
{
    private static readonly JsonSerializerOptions Plain = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON as the server writes it: quotes and non-ASCII characters unescaped.</summary>
    public static string Text(this JsonNode? node) => node?.ToJsonString(Plain) ?? "null";

    /// <summary>An expected reply written as an anonymous object, in the protocol's camelCase.</summary>
    public static string Of(object? value) => JsonSerializer.Serialize(value, Plain);

    public static object Range(int line, int character, int endLine, int endCharacter) =>
        new { start = new { line, character }, end = new { line = endLine, character = endCharacter } };
}

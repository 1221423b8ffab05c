using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>docs/editors.md's transcript is what the server says: its requests are replayed and the replies compared.</summary>
public sealed partial class TranscriptTests
{
    [Fact]
    public async Task The_transcript_in_the_docs_is_what_the_server_replies()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "editors.md"));
        var transcript = doc[doc.IndexOf("## Transcript", StringComparison.Ordinal)..];
        var root = LspProcess.Uri(RepoPaths.Root).TrimEnd('/');
        var blocks = JsonBlock().Matches(transcript).Select(m => JsonNode.Parse(m.Groups[1].Value.Replace("file:///path/to/pipeline", root, StringComparison.Ordinal))!).ToList();
        Assert.Equal(4, blocks.Count);

        await using var server = await LspProcess.Initialized(RepoPaths.Examples, new { textDocument = new { completion = new { completionItem = new { snippetSupport = true } } } });
        await server.OpenAndDiagnose(Examples.Hello);
        for (var i = 0; i < blocks.Count; i += 2)
        {
            var request = blocks[i];
            var reply = await server.SendRaw(request.Text(), request["id"]!.GetValue<int>());
            Assert.True(JsonNode.DeepEquals(blocks[i + 1], reply), $"docs/editors.md shows for {request["method"]}:\n{blocks[i + 1].Text()}\nthe server replies:\n{reply.Text()}");
        }

        Assert.Equal(0, await server.ShutDown());
    }

    [GeneratedRegex("```json\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}

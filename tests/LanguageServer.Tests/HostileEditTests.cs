using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>
/// Random edits, as a fast typist or a broken client would make them: brackets, quotes, comments, line breaks of every
/// kind, control characters, unpaired surrogates, huge numbers, positions past the end. After each one the server
/// must publish diagnostics, answer every request without an error other than a refused rename, never catch a bug
/// of its own (its standard error stays empty) and, at the end, shut down cleanly.
/// </summary>
public sealed class HostileEditTests
{
    private const int Seed = 29;
    private const int Edits = 300;

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", "(", ")", "\"", "//", "=", ":", ",", ".", "\n", "\r\n", "\r", "\t", " ", "\uD83D", "é", "→",
        "sweep", "extends", "experiment", "data", "align", "flow_dpo", "latent_reward {", "world.pairs(count: ", "prefs.train.", "vr",
        "1e999", "9223372036854775808", "-", "0.5", "beta = ", "weights = { VQ: ", "\"../x.csv\"", "btt(theta: ",
    ];

    /// <summary>Characters that make the whole file unparsable (PIPE0004, PIPE0005) until they are removed, so they come rarely.</summary>
    private static readonly string[] Poison = ["\0", "\u0007"];

    private static readonly string[] Requests =
    [
        "textDocument/completion", "textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/prepareRename",
        "textDocument/rename", "textDocument/documentSymbol", "textDocument/formatting", "textDocument/codeAction",
    ];

    [Fact]
    public async Task Random_edits_never_crash_the_server_nor_leak_an_exception_into_a_reply()
    {
        var random = new Random(Seed);
        var file = Path.Combine(RepoPaths.Examples, "hostile-edits-under-test.pipe");
        var text = File.ReadAllText(Examples.Mini);
        await using var server = await LspProcess.Initialized(RepoPaths.Examples);
        await server.OpenAndDiagnose(file, text);
        var lineCount = text.Count(c => c == '\n') + 1;
        for (var version = 2; version < Edits + 2; version++)
        {
            // Every 50 edits the whole text is sent again (full sync), so the edits work on a file that mostly parses.
            server.Change(file, version, version % 50 == 0 ? new { text } : new { range = RandomRange(random, lineCount), text = RandomText(random) });
            var published = await server.Notification("textDocument/publishDiagnostics");
            Assert.Equal(version, published["params"]!["version"]!.GetValue<int>());
            if (version % 3 == 0)
            {
                var method = Requests[random.Next(Requests.Length)];
                var reply = await server.Request(method, Parameters(method, file, random, lineCount));
                AssertClean(method, reply);
            }
        }

        foreach (var method in Requests)
        {
            AssertClean(method, await server.Request(method, Parameters(method, file, random, lineCount)));
        }

        Assert.False(server.HasExited);
        Assert.Equal(0, await server.ShutDown());
        Assert.True(server.StandardError.Trim().Length == 0, server.StandardError);
    }

    /// <summary>A reply is a result, or a rename refused with a one-line message; never a trace or an exception's name.</summary>
    private static void AssertClean(string method, JsonObject reply)
    {
        var text = reply.Text();
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        if (reply["error"] is { } error)
        {
            Assert.True(method == "textDocument/rename" && error["code"]!.GetValue<int>() == -32803 && error["data"] is null, $"{method}: {text}");
        }
    }

    private static object Parameters(string method, string file, Random random, int lineCount)
    {
        var textDocument = new { uri = LspProcess.Uri(file) };
        var position = RandomPosition(random, lineCount);
        return method switch
        {
            "textDocument/references" => new { textDocument, position, context = new { includeDeclaration = random.Next(2) == 0 } },
            "textDocument/rename" => new { textDocument, position, newName = random.Next(2) == 0 ? "renamed" : "dpo" },
            "textDocument/documentSymbol" => new { textDocument },
            "textDocument/formatting" => new { textDocument, options = new { tabSize = 2, insertSpaces = true } },
            "textDocument/codeAction" => new { textDocument, range = RandomRange(random, lineCount), context = new { diagnostics = Array.Empty<object>() } },
            _ => (object)new { textDocument, position },
        };
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            text.Append(random.Next(100) == 0 ? Poison[random.Next(Poison.Length)] : Fragments[random.Next(Fragments.Length)]);
        }

        return text.ToString();
    }

    /// <summary>Mostly inside the text, sometimes past its end or before its start (a client's stale or broken position).</summary>
    private static object RandomPosition(Random random, int lineCount) => random.Next(20) switch
    {
        0 => LspProcess.Position(lineCount + 100, 3),
        1 => LspProcess.Position(-1, -5),
        2 => LspProcess.Position(random.Next(lineCount), 10_000),
        _ => LspProcess.Position(random.Next(lineCount), random.Next(40)),
    };

    private static object RandomRange(Random random, int lineCount)
    {
        var line = random.Next(lineCount);
        var character = random.Next(40);
        var length = random.Next(3) == 0 ? random.Next(1, 200) : random.Next(0, 6);
        return random.Next(25) == 0
            ? new { start = RandomPosition(random, lineCount), end = RandomPosition(random, lineCount) }
            : new { start = LspProcess.Position(line, character), end = LspProcess.Position(line + (length > 60 ? 2 : 0), character + length) };
    }
}

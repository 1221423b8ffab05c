using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>Formatting, the outline, did-you-mean quick fixes and the semantic diff against git HEAD.</summary>
public sealed class EditingTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Formatting_gives_the_canonical_layout_and_leaves_a_file_with_syntax_errors_alone()
    {
        var canonical = File.ReadAllText(Examples.Hello);
        var messy = canonical.Replace("  seed = 7\n  device = auto\n", "seed=7,   device =auto\n", StringComparison.Ordinal).Replace("    width = 128", "        width=128", StringComparison.Ordinal);
        var file = folder.File("hello.pipe");
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(file, messy);
        var edits = await server.Result("textDocument/formatting", new { textDocument = new { uri = LspProcess.Uri(file) }, options = new { tabSize = 2, insertSpaces = true } });
        var lines = messy.Split('\n');
        Assert.Equal(JsonText.Of(new[] { new { range = JsonText.Range(0, 0, lines.Length - 1, lines[^1].Length), newText = canonical } }), edits.Text());

        server.Change(file, 2, new { text = messy + "}" });
        await server.Diagnostics(file);
        Assert.Equal("[]", (await server.Result("textDocument/formatting", new { textDocument = new { uri = LspProcess.Uri(file) }, options = new { tabSize = 2, insertSpaces = true } })).Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task The_outline_is_the_experiment_with_its_properties_and_stages()
    {
        await using var server = await LspProcess.Initialized(RepoPaths.Examples);
        await server.OpenAndDiagnose(Examples.Hello);
        var outline = await server.Result("textDocument/documentSymbol", new { textDocument = new { uri = LspProcess.Uri(Examples.Hello) } });
        var summary = outline!.AsArray().Select(e => $"{e!["name"]} [{string.Join(", ", e["children"]!.AsArray().Select(c => $"{c!["name"]}: {c["detail"]} ({c["children"]!.AsArray().Count})"))}]");
        Assert.Equal(
            "hello [seed: 7 (0), device: auto (0), world: data = synthetic_videos (5), gen: model = flow_generator (2)]",
            string.Join("; ", summary));
        Assert.Equal(
            """{"name":"gen","detail":"model = flow_generator","kind":5,"range":{"start":{"line":13,"character":2},"end":{"line":16,"character":3}},"selectionRange":{"start":{"line":13,"character":8},"end":{"line":13,"character":11}},"children":[{"name":"pretrain","detail":"{ data: world.videos, steps: 300, lr: 1e-3, batch: 32 }","kind":7,"range":{"start":{"line":14,"character":4},"end":{"line":14,"character":70}},"selectionRange":{"start":{"line":14,"character":4},"end":{"line":14,"character":12}},"children":[]},{"name":"width","detail":"128","kind":7,"range":{"start":{"line":15,"character":4},"end":{"line":15,"character":15}},"selectionRange":{"start":{"line":15,"character":4},"end":{"line":15,"character":9}},"children":[]}]}""",
            outline[0]!["children"]![3].Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task The_outline_lists_expectations_beside_the_stages()
    {
        var file = folder.File("expects.pipe");
        var text = File.ReadAllText(Examples.Hello).TrimEnd().TrimEnd('}') + "  expect gen.win_rate(oracle).TA > 0.5\n}\n";
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(file, text);
        var outline = await server.Result("textDocument/documentSymbol", new { textDocument = new { uri = LspProcess.Uri(file) } });
        var expectation = outline![0]!["children"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "expect")!;
        Assert.Equal("gen.win_rate(oracle).TA > 0.5", expectation["detail"]!.GetValue<string>());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task A_did_you_mean_diagnostic_comes_with_a_quick_fix_that_applies_the_suggestion()
    {
        var file = folder.File("typo.pipe");
        var text = File.ReadAllText(Examples.Hello).Replace("= flow_generator", "= flow_generatr", StringComparison.Ordinal);
        await using var server = await LspProcess.Initialized(folder.Path);
        var diagnostics = await server.OpenAndDiagnose(file, text);
        var typo = diagnostics.Single(d => d!["code"]!.GetValue<string>() == "PIPE1002")!;
        var actions = await server.Result("textDocument/codeAction", new { textDocument = new { uri = LspProcess.Uri(file) }, range = typo["range"]!.DeepClone(), context = new { diagnostics = new[] { typo.DeepClone() } } });
        Assert.Equal(
            JsonText.Of(new[]
            {
                new
                {
                    title = "Change 'flow_generatr' to 'flow_generator'",
                    kind = "quickfix",
                    diagnostics = new[] { typo },
                    edit = new { changes = new Dictionary<string, object[]> { [LspProcess.Uri(file)] = [new { range = typo["range"], newText = "flow_generator" }] } },
                    isPreferred = true,
                },
            }),
            actions.Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task The_semantic_diff_command_compares_the_buffer_with_the_file_at_git_head()
    {
        var file = folder.File("videoalign-mini.pipe");
        File.Copy(Examples.Mini, file);
        foreach (var arguments in new[] { new[] { "init", "-q" }, ["add", "."], ["-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-q", "-m", "base"] })
        {
            Assert.Equal(0, ProcessRunner.Run("git", arguments, folder.Path).ExitCode);
        }

        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(file, File.ReadAllText(file).Replace("beta = 500", "beta = 2000", StringComparison.Ordinal));
        var diff = (await server.Result("workspace/executeCommand", new { command = "pipeline.semanticDiff", arguments = new[] { LspProcess.Uri(file) } }))!.GetValue<string>();
        Assert.Matches(
            new Regex("""^semantic diff of videoalign-mini\.pipe: git HEAD → editor\ndpo\.beta: 500 → 2000\nresolved \(defaults filled in\):\n  dpo\.beta: 500\.0 → 2000\.0\ninvalidated stages:\n  dpo: [0-9a-f]{12} → [0-9a-f]{12}\n  report: [0-9a-f]{12} → [0-9a-f]{12}\n$"""),
            diff);

        var unknown = await server.Request("workspace/executeCommand", new { command = "pipeline.other", arguments = Array.Empty<string>() });
        Assert.Equal("""{"code":-32602,"message":"Unknown command 'pipeline.other'; this server runs pipeline.semanticDiff."}""", unknown["error"].Text());
        Assert.Equal(0, await server.ShutDown());
    }
}

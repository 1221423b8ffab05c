using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>The server publishes what <c>pipeline check</c> prints: the same codes, messages and spans.</summary>
public sealed partial class DiagnosticsTests
{
    [Fact]
    public async Task Diagnostics_of_every_example_and_bad_file_are_those_of_pipeline_check()
    {
        using var folder = new TempFolder();
        var files = RepoFiles().Concat(BindingMistakes(folder)).ToList();
        var check = ProcessRunner.Run("dotnet", new[] { LspProcess.CliAssembly, "check" }.Concat(files), environment: new Dictionary<string, string?> { ["PIPELINE_CACHE"] = folder.File("cache") });
        var expected = check.StandardOutput.Split('\n').Where(l => DiagnosticLine().IsMatch(l)).ToList();

        await using var server = await LspProcess.Initialized(folder.Path);
        var published = new List<string>();
        foreach (var file in files)
        {
            published.AddRange((await server.OpenAndDiagnose(file)).Select(d => Format(file, d!)));
        }

        Assert.True(expected.Count > 40, $"only {expected.Count} diagnostics: the corpus is missing\n{check.All}");
        var first = Enumerable.Range(0, Math.Min(expected.Count, published.Count)).FirstOrDefault(i => expected[i] != published[i], -1);
        Assert.True(first < 0 && expected.Count == published.Count, first < 0 ? $"{expected.Count} lines from check, {published.Count} published" : $"line {first}:\ncheck:  {expected[first]}\nserver: {published[first]}");
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task An_edit_publishes_the_new_diagnostics_and_undoing_it_restores_the_old()
    {
        await using var server = await LspProcess.Initialized(RepoPaths.Examples);
        var before = await server.OpenAndDiagnose(Examples.Mini);
        var (line, character) = Examples.Find(Examples.Mini, "500", after: "align dpo = flow_dpo");
        server.Change(Examples.Mini, 2, new { range = Range(line, character, line, character + 3), text = "-1" });
        var after = await server.Diagnostics(Examples.Mini);

        var warning = """{"range":{"start":{"line":127,"character":13},"end":{"line":127,"character":25}},"severity":2,"code":"PIPE2011","source":"pipeline","message":"The latent reward 'latent_clean' is trained on clean latents, and the paper shows that guiding with a clean reward fails; this runs only as the ablation, so set noisy = true for real results."}""";
        Assert.Equal($"[{warning}]", before.Text());
        Assert.Equal(
            $$$"""[{"range":{"start":{"line":{{{line}}},"character":11},"end":{"line":{{{line}}},"character":13}},"severity":1,"code":"PIPE2003","source":"pipeline","message":"The value -1 is out of range; write a number in (0, inf)."},{{{warning}}}]""",
            after.Text());

        server.Change(Examples.Mini, 3, new { range = Range(line, character, line, character + 2), text = "500" });
        Assert.Equal(before.Text(), (await server.Diagnostics(Examples.Mini)).Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task A_mistake_in_a_base_file_shows_on_the_extends_path_and_links_to_where_it_is()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("base.pipe"), "experiment base {\n  seed = -3\n}\n");
        File.WriteAllText(folder.File("variant.pipe"), "experiment variant extends \"base.pipe\" {\n  device = cpu\n}\n");
        await using var server = await LspProcess.Initialized(folder.Path);
        var diagnostics = await server.OpenAndDiagnose(folder.File("variant.pipe"));
        Assert.Equal(
            """[{"range":{"start":{"line":0,"character":27},"end":{"line":0,"character":38}},"severity":1,"code":"PIPE2002","source":"pipeline","message":"base.pipe:2:10: The value -3 is out of range; write an integer in [0, 2147483647].","relatedInformation":[{"location":{"uri":"BASE","range":{"start":{"line":1,"character":9},"end":{"line":1,"character":11}}},"message":"The value -3 is out of range; write an integer in [0, 2147483647]."}]}]""".Replace("BASE", LspProcess.Uri(folder.File("base.pipe")), StringComparison.Ordinal),
            diagnostics.Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task A_file_with_more_than_100_mistakes_publishes_the_first_100_and_the_closing_line_of_check()
    {
        using var folder = new TempFolder();
        var file = folder.File("many.pipe");
        File.WriteAllText(file, "experiment many {\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"  seed = -{i + 1}\n")) + "}\n");
        var check = ProcessRunner.Run("dotnet", [LspProcess.CliAssembly, "check", file], environment: new Dictionary<string, string?> { ["PIPELINE_CACHE"] = folder.File("cache") });
        var expected = check.StandardOutput.Split('\n').Where(l => DiagnosticLine().IsMatch(l)).ToList();

        await using var server = await LspProcess.Initialized(folder.Path);
        var published = (await server.OpenAndDiagnose(file)).Select(d => Format(file, d!)).ToList();

        // check prints its closing line without a position; the protocol needs one, so it sits at the top.
        var closing = check.StandardOutput.Split('\n').Single(l => l.Contains("PIPE0050", StringComparison.Ordinal));
        Assert.Equal(101, published.Count);
        Assert.Equal(expected, published.Take(100));
        Assert.Equal(closing.Replace($"{file}: ", $"{file}:1:1: ", StringComparison.Ordinal), published[^1]);
        Assert.Equal(0, await server.ShutDown());
    }

    /// <summary>The examples, the parser's bad files, the composition corpus and the hostile-input corpus.</summary>
    private static IEnumerable<string> RepoFiles() =>
        new[] { RepoPaths.Examples, Path.Combine(RepoPaths.Root, "tests/Dsl.Tests/Invalid"), Path.Combine(RepoPaths.Root, "tests/Dsl.Tests/Corpus"), Path.Combine(RepoPaths.Root, "tests/Cli.Tests/Hostile") }
            .SelectMany(folder => Directory.GetFiles(folder, "*.pipe").Order(StringComparer.Ordinal));

    /// <summary>Files that parse but do not bind: the binder's and the type checker's diagnostics.</summary>
    private static IEnumerable<string> BindingMistakes(TempFolder folder)
    {
        var files = new Dictionary<string, string>
        {
            ["misspelt.pipe"] = "experiment misspelt {\n  data world = synthetic_videso { prompts = 16 }\n  model gen = flow_generator {\n    pretrain = { data: wrld.videos, stpes: 10 }\n    widht = 32\n  }\n}\n",
            ["types.pipe"] = "experiment types {\n  seed = -1\n  device = gpu\n  data world = synthetic_videos { prompts = 1.5, resolution = [8] }\n  data prefs = preference_pairs { source = world.pairs(count: 10), ties = maybe, split = { train: 0.5, eval: 0.1 } }\n}\n",
            ["extending.pipe"] = "experiment extending extends \"misspelt.pipe\" {\n  gen.width = 0\n}\n",
        };
        foreach (var (name, text) in files)
        {
            File.WriteAllText(folder.File(name), text);
        }

        return files.Keys.Select(folder.File);
    }

    /// <summary>A published diagnostic as <c>pipeline check</c> prints it (one based; a base file's diagnostic at its own place).</summary>
    private static string Format(string file, JsonNode diagnostic)
    {
        var related = diagnostic["relatedInformation"]?[0];
        var path = related is null ? file : new Uri(related["location"]!["uri"]!.GetValue<string>()).LocalPath;
        var start = (related?["location"]!["range"] ?? diagnostic["range"])!["start"]!;
        var message = (related?["message"] ?? diagnostic["message"])!.GetValue<string>();
        message = message.EndsWith('.') || message.EndsWith('?') ? message : message + ".";
        var level = diagnostic["severity"]!.GetValue<int>() switch { 1 => "error", 2 => "warning", _ => "info" };
        return $"{path}:{start["line"]!.GetValue<int>() + 1}:{start["character"]!.GetValue<int>() + 1}: {level} {diagnostic["code"]}: {message}";
    }

    private static object Range(int line, int character, int endLine, int endCharacter) =>
        new { start = LspProcess.Position(line, character), end = LspProcess.Position(endLine, endCharacter) };

    [GeneratedRegex(@"^.+:\d+:\d+: (error|warning|info) PIPE\d{4}: ")]
    private static partial Regex DiagnosticLine();
}

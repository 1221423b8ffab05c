using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>
/// Go to definition, find references and rename on copies of the main example and the file that extends it
/// (<c>unguided.pipe</c>), so that a rename is computed across both files.
/// </summary>
public sealed class NavigationTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string mini;
    private readonly string unguided;

    public NavigationTests()
    {
        mini = folder.File("videoalign-mini.pipe");
        unguided = folder.File("unguided.pipe");
        File.Copy(Examples.Mini, mini);
        File.Copy(Examples.Unguided, unguided);
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Definition_of_a_stage_named_in_an_extending_file_is_its_declaration_in_the_base()
    {
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(unguided);
        var reference = Spot(unguided, "generator = base", "guide base_cfg1", "base");
        var definition = await server.Result("textDocument/definition", LspProcess.At(unguided, reference.Line, reference.Start + 1));
        Assert.Equal(JsonText.Of(Location(mini, Spot(mini, "model base", null, "base"))), definition.Text());

        var path = Spot(unguided, "extends \"videoalign-mini.pipe\"", null, "videoalign");
        var target = await server.Result("textDocument/definition", LspProcess.At(unguided, path.Line, path.Start));
        Assert.Equal(JsonText.Of(new { uri = LspProcess.Uri(mini), range = JsonText.Range(0, 0, 0, 0) }), target.Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task References_of_a_stage_are_its_declaration_and_every_reference_in_the_family()
    {
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(mini);
        var declaration = Spot(mini, "reward vr = video_reward", null, "vr");
        var references = await server.Result("textDocument/references", new { textDocument = new { uri = LspProcess.Uri(mini) }, position = LspProcess.Position(declaration.Line, declaration.Start), context = new { includeDeclaration = true } });
        var expected = new[]
        {
            declaration,
            Spot(mini, "reward = vr", "align rwr", "vr"),
            Spot(mini, "relabel(vr)", "align dpo = flow_dpo", "vr"),
            Spot(mini, "relabel(vr)", "align dpo_t = flow_dpo", "vr"),
            Spot(mini, "world.oracle, vr]", "evaluate report", "vr"),
        };
        Assert.Equal(JsonText.Of(expected.Select(s => Location(mini, s))), references.Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task References_of_a_file_are_the_extends_clauses_that_name_it()
    {
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(mini);
        var name = Spot(mini, "experiment videoalign_mini", null, "videoalign_mini");
        var references = await server.Result("textDocument/references", new { textDocument = new { uri = LspProcess.Uri(mini) }, position = LspProcess.Position(name.Line, name.Start), context = new { includeDeclaration = true } });
        var extends = Spot(unguided, "extends \"videoalign-mini.pipe\"", null, "\"videoalign-mini.pipe\"");
        Assert.Equal(JsonText.Of(new[] { Location(mini, name), Location(unguided, extends) }), references.Text());

        await server.OpenAndDiagnose(unguided);
        var fromPath = await server.Result("textDocument/references", new { textDocument = new { uri = LspProcess.Uri(unguided) }, position = LspProcess.Position(extends.Line, extends.Start + 2), context = new { includeDeclaration = false } });
        Assert.Equal(JsonText.Of(new[] { Location(unguided, extends) }), fromPath.Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task Renaming_a_stage_edits_the_file_that_declares_it_and_the_files_that_extend_it()
    {
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(unguided);
        var reference = Spot(unguided, "generator = sft", "guide sft_cfg1", "sft");
        var at = new { textDocument = new { uri = LspProcess.Uri(unguided) }, position = LspProcess.Position(reference.Line, reference.Start + 1) };
        var prepared = await server.Result("textDocument/prepareRename", at);
        Assert.Equal(JsonText.Of(new { range = Range(reference), placeholder = "sft" }), prepared.Text());

        var edit = await server.Result("textDocument/rename", new { at.textDocument, at.position, newName = "supervised" });
        var changes = new Dictionary<string, object[]>
        {
            // Files in the order of their URIs, so the reply is the same on every run.
            [LspProcess.Uri(unguided)] = [Edit(reference)],
            [LspProcess.Uri(mini)] = [Edit(Spot(mini, "align sft = flow_sft", null, "sft")), Edit(Spot(mini, "methods = [sft", null, "sft"))],
        };
        Assert.Equal(JsonText.Of(new { changes }), edit.Text());
        Assert.Equal(0, await server.ShutDown());
    }

    [Fact]
    public async Task A_rename_to_a_taken_or_malformed_name_is_refused_with_a_message_and_a_property_cannot_be_renamed()
    {
        await using var server = await LspProcess.Initialized(folder.Path);
        await server.OpenAndDiagnose(mini);
        var declaration = Spot(mini, "reward vr = video_reward", null, "vr");
        var at = new { textDocument = new { uri = LspProcess.Uri(mini) }, position = LspProcess.Position(declaration.Line, declaration.Start) };
        Assert.Equal("""{"code":-32803,"message":"A stage is already named 'dpo'; choose another name."}""", (await server.Request("textDocument/rename", new { at.textDocument, at.position, newName = "dpo" }))["error"].Text());
        Assert.Equal("""{"code":-32803,"message":"'2vr' is not a stage name; write a letter or '_' followed by letters, digits or '_'."}""", (await server.Request("textDocument/rename", new { at.textDocument, at.position, newName = "2vr" }))["error"].Text());

        var property = Spot(mini, "epochs = 3", null, "epochs");
        Assert.Equal("null", (await server.Result("textDocument/prepareRename", LspProcess.At(mini, property.Line, property.Start))).Text());
        Assert.Equal(0, await server.ShutDown());
    }

    /// <summary>Where <paramref name="name"/> is inside the first <paramref name="text"/> at or after the line holding <paramref name="after"/>.</summary>
    private static (int Line, int Start, int End) Spot(string path, string text, string? after, string name)
    {
        var (line, character) = Examples.Find(path, text, after);
        var start = character + text.IndexOf(name, StringComparison.Ordinal);
        return (line, start, start + name.Length);
    }

    private static object Range((int Line, int Start, int End) spot) => JsonText.Range(spot.Line, spot.Start, spot.Line, spot.End);

    private static object Location(string path, (int Line, int Start, int End) spot) => new { uri = LspProcess.Uri(path), range = Range(spot) };

    private static object Edit((int Line, int Start, int End) spot) => new { range = Range(spot), newText = "supervised" };
}

using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>Completion at places in the main example, marked by <c>|</c> in an edited copy of it.</summary>
public sealed class CompletionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string Document = Path.Combine(RepoPaths.Examples, "completion-under-test.pipe");

    public static TheoryData<string, string, string, string> Sites => new()
    {
        { "kinds of the role", "  align dpo = flow_dpo", "  align x = |\n  align dpo = flow_dpo", "flow_sft flow_rwr flow_dpo" },
        { "a property not yet written", "    beta = 500\n", "    |\n", "reference beta cfg_dropout lora" },
        { "a property being typed", "loss = btt(theta: 5.0)\n    epochs = 3\n", "loss = btt(theta: 5.0)\n    epo|\n", "tokens width epochs lr batch init" },
        { "members of prefs", "pairs = prefs.train.relabel(vr)", "pairs = prefs.|", "train eval winners relabel(reward:)" },
        { "members of a member", "pairs = prefs.train.relabel(vr)", "pairs = prefs.train.|", "train eval winners relabel(reward:)" },
        { "a pair source", "source = world.pairs(count: 3000)", "source = |", "world.pairs(count:)" },
        { "a call's parameters", "world.pairs(count: 3000)", "world.pairs(|", "count" },
        { "enum values", "    split = { train: 0.8, eval: 0.2 }", "    ties = |\n    split = { train: 0.8, eval: 0.2 }", "keep drop" },
        { "variant cases", "loss = btt(theta: 5.0)", "loss = |", "bt regression btt(theta:)" },
        { "dimension keys not yet written", "weights = { VQ: 0.1, MQ: 0.1, TA: 0.8 }", "weights = { VQ: 0.1, |", "MQ TA" },
        { "record fields not yet written", "split = { train: 0.8, eval: 0.2 }", "split = { train: 0.8, |", "eval" },
        { "dimensions in a list", "    split = { train: 0.8, eval: 0.2 }", "    dimensions = [|\n    split = { train: 0.8, eval: 0.2 }", "VQ MQ TA" },
        { "latent rewards and the inline kind", "reward = latent\n", "reward = |\n", "latent latent_clean latent_reward" },
        { "generators in a list", "methods = [sft, rwr,", "methods = [sft, |rwr,", "base base_cfg4 dpo dpo_t nrg_clean nrg_ta nrg_vq_mq rwr sft world.best world.worst" },
        { "judges", "judges = [world.oracle, vr]", "judges = [world.oracle, |]", "vr vr_bt world.oracle" },
        { "roles, where seed and device are written", "  seed = 7\n", "  |\n  seed = 7\n", "data model reward align guide evaluate expect replicates" },
        { "an inline stage's properties", "reward = latent\n", "reward = latent_reward {\n      |\n    }\n", "train autoencoder noisy width epochs centring lr batch init" },
        { "nothing in a comment", "// with 1200", "// wi|th 1200", "" },
    };

    [Theory]
    [MemberData(nameof(Sites))]
    public async Task Completion_offers_what_the_place_takes(string place, string original, string edited, string expected)
    {
        var text = File.ReadAllText(Examples.Mini);
        Assert.Contains(original, text, StringComparison.Ordinal);
        var items = await Complete(text.Replace(original, edited, StringComparison.Ordinal));
        Assert.True(expected == string.Join(" ", items.Select(i => i!["label"]!.GetValue<string>())), $"{place}: {items.Text()}");
    }

    [Fact]
    public async Task A_property_item_carries_its_type_default_documentation_and_paper_section()
    {
        var items = await Complete(File.ReadAllText(Examples.Mini).Replace("    beta = 500\n", "    |\n", StringComparison.Ordinal));
        Assert.Equal(
            """{"label":"beta","kind":10,"detail":"number in (0, inf) | timestep(beta: number in (0, inf)) = 500","documentation":{"value":"**beta**: number in (0, inf) | timestep(beta: number in (0, inf))\n\nDefault: `500`\n\nConstant beta (the paper: 500), or timestep(beta) for beta_t = beta (1 - t)^2.\n\nProperty of `flow_dpo`\n\nPaper: §4.2, Eq. 4–6 and App. C: Flow-DPO.","kind":"markdown"},"insertText":"beta = ","sortText":"1003"}""",
            items.Single(i => i!["label"]!.GetValue<string>() == "beta").Text());
    }

    [Fact]
    public async Task A_member_call_item_inserts_a_snippet_with_its_parameter()
    {
        var items = await Complete(File.ReadAllText(Examples.Mini).Replace("source = world.pairs(count: 3000)", "source = |", StringComparison.Ordinal));
        Assert.Equal(
            """[{"label":"world.pairs(count:)","kind":2,"detail":"World.pairs → PairSource","documentation":{"value":"**pairs**(count: integer in [1, 10000000]) of a World: gives PairSource\n\nLabelled pairs of videos from different generators.","kind":"markdown"},"insertText":"world.pairs(count: $1)","insertTextFormat":2}]""",
            items.Text());
    }

    private async Task<System.Text.Json.Nodes.JsonArray> Complete(string text)
    {
        var position = await fixture.Show(Document, text);
        var result = await fixture.Server.Result("textDocument/completion", new { textDocument = new { uri = LspProcess.Uri(Document) }, position });
        Assert.False(result!["isIncomplete"]!.GetValue<bool>());
        return result["items"]!.AsArray();
    }
}

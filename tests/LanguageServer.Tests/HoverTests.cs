using Pipeline.Catalog;

namespace Pipeline.LanguageServer.Tests;

/// <summary>Hover shows the catalogue: documentation, type and range, default, and the paper section.</summary>
public sealed class HoverTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string, string?, string> Names => new()
    {
        {
            "a kind", "flow_dpo", null,
            """{"contents":{"value":"**flow_dpo** (`align` kind, produces Generator)\n\nFlow-DPO: loss -log sigmoid(-beta/2 [(e_w - e_ref,w) - (e_l - e_ref,l)]); winner and loser share noise and t; the frozen reference runs under no_grad; errors are element means (beta has that scale).\n\nPaper: §4.2, Eq. 4–6 and App. C: Flow-DPO.","kind":"markdown"},"range":{"start":{"line":79,"character":14},"end":{"line":79,"character":22}}}"""
        },
        {
            "a property", "beta", "align dpo = flow_dpo",
            """{"contents":{"value":"**beta**: number in (0, inf) | timestep(beta: number in (0, inf))\n\nDefault: `500`\n\nConstant beta (the paper: 500), or timestep(beta) for beta_t = beta (1 - t)^2.\n\nProperty of `flow_dpo`\n\nPaper: §4.2, Eq. 4–6 and App. C: Flow-DPO.","kind":"markdown"},"range":{"start":{"line":82,"character":4},"end":{"line":82,"character":8}}}"""
        },
        {
            "a stage member", "train.relabel", "align dpo = flow_dpo",
            """{"contents":{"value":"**train** of a PreferencePairs: gives PreferencePairs\n\nThe training split.","kind":"markdown"},"range":{"start":{"line":81,"character":18},"end":{"line":81,"character":23}}}"""
        },
        {
            "a word", " bt", "reward vr_bt",
            """{"contents":{"value":"`bt`: one of bt | btt(theta: number in (1, inf)) | regression","kind":"markdown"},"range":{"start":{"line":36,"character":11},"end":{"line":36,"character":13}}}"""
        },
        {
            "a dimension key", "TA: 0.8", "guide nrg_ta",
            """{"contents":{"value":"`TA`: a key of { (VQ | MQ | TA): number in [0, inf) }","kind":"markdown"},"range":{"start":{"line":114,"character":34},"end":{"line":114,"character":36}}}"""
        },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Hover_shows_the_catalogue_entry(string what, string text, string? after, string expected)
    {
        var contents = File.ReadAllText(Examples.Mini);
        var (line, character) = Examples.Find(Examples.Mini, text, after);
        Assert.True(expected == (await Hover(contents, line, character + 1)).Text(), $"{what}: {(await Hover(contents, line, character + 1)).Text()}");
    }

    [Fact]
    public async Task Hover_on_a_stage_shows_its_declaration_what_it_reads_and_its_kind()
    {
        var (line, character) = Examples.Find(Examples.Mini, "vr)", "align dpo = flow_dpo");
        Assert.Equal(
            """{"contents":{"value":"**vr**: `reward vr = video_reward`, produces RewardModel\n\nReads `prefs`.\n\nDOC\n\nPaper: §3.2, Eq. 1–2: VideoReward, trained with the Bradley-Terry (BT) or BT-with-ties (BTT) loss.","kind":"markdown"},"range":{"start":{"line":81,"character":32},"end":{"line":81,"character":34}}}"""
                .Replace("DOC", StageCatalog.FindKind("video_reward")!.Doc, StringComparison.Ordinal),
            (await Hover(File.ReadAllText(Examples.Mini), line, character)).Text());
    }

    private async Task<System.Text.Json.Nodes.JsonNode?> Hover(string text, int line, int character)
    {
        await fixture.Show(Examples.Mini, text);
        return await fixture.Server.Result("textDocument/hover", LspProcess.At(Examples.Mini, line, character));
    }
}

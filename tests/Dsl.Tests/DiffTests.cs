using System.Collections.Immutable;
using System.Text.Json;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Semantics;

namespace Pipeline.Dsl.Tests;

public sealed class DiffTests
{
    private static readonly string Sketch = TestFiles.Read("tests/Dsl.Tests/Corpus/videoalign-sketch.pipe");

    private static string[] Diff(string before, string after) =>
        SemanticDiff.Compare(TestFiles.ParseText(before).Root.Experiment, TestFiles.ParseText(after).Root.Experiment)
            .Select(c => c.ToString()).ToArray();

    [Fact]
    public void Reformatting_recommenting_and_reordering_stages_is_no_semantic_change()
    {
        var tree = TestFiles.ParseText(Sketch);
        var experiment = tree.Root.Experiment;
        // Reverse the members, drop every comment, and lay it out canonically.
        var reordered = experiment with { Members = experiment.Members.Reverse().Select(m => m with { LeadingComments = [], TrailingComment = null }).ToImmutableArray() };
        var text = SyntaxFormatter.Format(reordered).Replace("  seed = 7\n", "  seed = 7 // a new comment\n");
        Assert.NotEqual(Sketch, text);
        Assert.Empty(Diff(Sketch, text));
        Assert.Equal("no semantic change\n", SemanticDiff.FormatText(SemanticDiff.Compare(experiment, TestFiles.ParseText(text).Root.Experiment)));
    }

    [Fact]
    public void Changing_one_value_prints_exactly_that_path()
    {
        var changed = Sketch.Replace("beta   = 500", "beta   = 2000");
        Assert.Equal(["dpo.beta: 500 → 2000"], Diff(Sketch, changed));
    }

    [Fact]
    public void Map_keys_are_paths_and_their_order_does_not_matter()
    {
        Assert.Equal(
            ["prefs.split.eval: 0.1 → 0.2", "prefs.split.train: 0.9 → 0.8"],
            Diff(Sketch, Sketch.Replace("split      = { train: 0.9, eval: 0.1 }", "split = { eval: 0.2, train: 0.8 }")));
        Assert.Empty(Diff(Sketch, Sketch.Replace("split      = { train: 0.9, eval: 0.1 }", "split = { eval: 0.1, train: 0.9 }")));
    }

    [Fact]
    public void List_order_is_a_change()
    {
        Assert.Equal(
            ["prefs.dimensions: [VQ, MQ, TA] → [TA, MQ, VQ]"],
            Diff(Sketch, Sketch.Replace("[VQ, MQ, TA]", "[TA, MQ, VQ]")));
    }

    [Fact]
    public void Stages_added_removed_and_changed_in_kind()
    {
        var changed = Sketch
            .Replace("  align rwr = flow_rwr { policy = base, reward = vr, samples = 2048 }\n", string.Empty)
            .Replace("align sft = flow_sft", "align sft = flow_rwr")
            .Replace("  evaluate report", "  align extra = flow_sft { policy = base }\n  evaluate report");
        Assert.Equal(
            ["+ align extra = flow_sft", "- align rwr = flow_rwr", "sft: align sft = flow_sft → align sft = flow_rwr"],
            Diff(Sketch, changed));
    }

    [Fact]
    public void Properties_added_and_removed_and_inline_stages_open_into_paths()
    {
        var changed = Sketch
            .Replace("    steps  = 1000\n", "    warmup = 10\n")
            .Replace("noisy = true", "noisy = false");
        Assert.Equal(
            ["dpo.steps: 1000 → (unset)", "dpo.warmup: (unset) → 10", "nrg.reward.noisy: true → false"],
            Diff(Sketch, changed));
    }

    [Fact]
    public void Number_spelling_is_no_change_but_type_is()
    {
        Assert.Empty(Diff("experiment e { lr = 5e-6 }", "experiment e { lr = 0.000005 }"));
        Assert.Equal(["x: 1 → 1.0"], Diff("experiment e { x = 1 }", "experiment e { x = 1.0 }"));
    }

    [Fact]
    public void Json_lists_each_change()
    {
        var changes = SemanticDiff.Compare(TestFiles.ParseText(Sketch).Root.Experiment, TestFiles.ParseText(Sketch.Replace("beta   = 500", "beta   = 2000")).Root.Experiment);
        using var json = JsonDocument.Parse(SemanticDiff.FormatJson(changes));
        Assert.False(json.RootElement.GetProperty("same").GetBoolean());
        var change = Assert.Single(json.RootElement.GetProperty("changes").EnumerateArray().ToList());
        Assert.Equal("value-changed", change.GetProperty("change").GetString());
        Assert.Equal("dpo.beta", change.GetProperty("path").GetString());
        Assert.Equal("500", change.GetProperty("old").GetString());
        Assert.Equal("2000", change.GetProperty("new").GetString());
        using var same = JsonDocument.Parse(SemanticDiff.FormatJson([]));
        Assert.True(same.RootElement.GetProperty("same").GetBoolean());
    }
}

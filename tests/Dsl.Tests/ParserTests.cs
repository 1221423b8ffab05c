using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Tests;

public sealed class ParserTests
{
    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Valid_files_parse_without_diagnostics(string path)
    {
        var tree = TestFiles.Parse(path);
        Assert.Empty(tree.Diagnostics.Select(d => DiagnosticFormatter.Format(d, tree.Source)));
    }

    [Fact]
    public void Sketch_has_the_expected_shape()
    {
        var tree = TestFiles.Parse("tests/Dsl.Tests/Corpus/videoalign-sketch.pipe");
        var experiment = tree.Root.Experiment;
        Assert.Equal("videoalign_mini", experiment.Name.Name);
        var stages = experiment.Members.OfType<StageSyntax>().Select(s => s.Name.Name).ToArray();
        Assert.Equal(["world", "prefs", "ae", "base", "vr", "dpo", "rwr", "sft", "nrg", "report"], stages);
        var nrg = experiment.Members.OfType<StageSyntax>().Single(s => s.Name.Name == "nrg");
        var reward = Assert.IsType<InlineStageSyntax>(nrg.Properties.Single(p => p.Name.Name == "reward").Value);
        Assert.Equal("latent_reward", reward.Kind.Name);
        Assert.Equal(2, reward.Properties.Length);
        var dpo = experiment.Members.OfType<StageSyntax>().Single(s => s.Name.Name == "dpo");
        var pairs = Assert.IsType<CallSyntax>(dpo.Properties.Single(p => p.Name.Name == "pairs").Value);
        Assert.Equal("prefs.train.relabel", pairs.Callee.Dotted);
        var lr = Assert.IsType<RealLiteralSyntax>(dpo.Properties.Single(p => p.Name.Name == "lr").Value);
        Assert.Equal(5e-6, lr.Value);
        Assert.Equal("// auto | cpu | cuda | cuda:N", experiment.Members[1].TrailingComment?.Text);
        var world = experiment.Members.OfType<StageSyntax>().First();
        Assert.StartsWith("// procedural prompts", world.HeaderComment?.Text);
        Assert.Equal("// VideoAlign-mini: a reward model and three aligners on the synthetic video world.", Assert.Single(tree.Root.LeadingComments).Text);
        Console.WriteLine(SyntaxFormatter.Format(tree.Root));
    }
}

using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Tests;

/// <summary><c>replicates</c> and <c>expect</c> in the syntax: parsing, canonical form, composition and the semantic diff.</summary>
public sealed class ExpectationSyntaxTests
{
    private const string Base = """
        experiment e {
          seed = 7
          expect dpo.win_rate(oracle).TA > 0.5
          expect nrg_ta.win_rate(oracle).TA > nrg_vq_mq.win_rate(vr).Overall
        }

        """;

    private static string[] Diff(string before, string after) =>
        SemanticDiff.Compare(TestFiles.ParseText(before).Root.Experiment, TestFiles.ParseText(after).Root.Experiment)
            .Select(c => c.ToString()).ToArray();

    [Fact]
    public void An_expectation_parses_into_its_metric_comparison_and_operand()
    {
        var tree = TestFiles.ParseText(Base);
        Assert.Empty(tree.Diagnostics);
        var expectations = tree.Root.Experiment.Members.OfType<ExpectationSyntax>().ToArray();
        Assert.Equal(2, expectations.Length);

        var first = expectations[0];
        Assert.Equal(("dpo", "win_rate", "oracle", "TA"), (first.Left.Stage.Name, first.Left.Metric.Name, first.Left.Judge.Name, first.Left.Dimension.Name));
        Assert.Equal(">", first.Comparison.Operator);
        var threshold = Assert.IsType<RealLiteralSyntax>(Assert.IsType<ThresholdSyntax>(first.Right).Literal);
        Assert.Equal(0.5, threshold.Value);
        Assert.Equal("expect dpo.win_rate(oracle).TA > 0.5", Base.Substring(first.Span.Start, first.Span.Length));

        var right = Assert.IsType<MetricReferenceSyntax>(expectations[1].Right);
        Assert.Equal("nrg_vq_mq.win_rate(vr).Overall", right.Text);
    }

    [Theory]
    [InlineData("expect = 3")]            // a property called expect
    [InlineData("expect.beta = 3")]       // an override of a stage called expect
    [InlineData("align expect = flow_dpo {}")]
    public void Expect_is_a_keyword_only_before_a_metric(string member)
    {
        var tree = TestFiles.ParseText($"experiment e {{\n  {member}\n}}\n");
        Assert.Empty(tree.Diagnostics);
        Assert.IsNotType<ExpectationSyntax>(Assert.Single(tree.Root.Experiment.Members));
    }

    [Fact]
    public void The_formatter_writes_one_expectation_per_line_in_a_block_of_its_own()
    {
        var text = "experiment e {\n  seed = 7, replicates = 3\n  expect   a.win_rate( oracle ).TA<1, expect b.win_rate(vr).MQ>a.win_rate(vr).MQ // why\n  data w = synthetic_videos {}\n}\n";
        var formatted = SyntaxFormatter.Format(TestFiles.ParseText(text).Root);
        Assert.Equal(
            "experiment e {\n  seed = 7\n  replicates = 3\n\n  expect a.win_rate(oracle).TA < 1\n  expect b.win_rate(vr).MQ > a.win_rate(vr).MQ  // why\n\n  data w = synthetic_videos {}\n}\n",
            formatted);
        Assert.Equal(formatted, SyntaxFormatter.Format(TestFiles.ParseText(formatted).Root));
    }

    [Fact]
    public void Canonical_form_sorts_expectations_and_spells_their_numbers_once()
    {
        var a = TestFiles.ParseText("experiment e {\n  expect b.win_rate(oracle).TA > 0.50\n  expect a.win_rate(oracle).TA < 1\n  replicates = 2\n}\n");
        var b = TestFiles.ParseText("experiment e {\n  replicates = 2\n  expect a.win_rate(oracle).TA < 1 // note\n  expect b.win_rate(oracle).TA > 5e-1\n}\n");
        var canonical = CanonicalForm.Text(a.Root.Experiment);
        Assert.Equal(canonical, CanonicalForm.Text(b.Root.Experiment));
        Assert.Equal("experiment e {\n  replicates = 2\n\n  expect a.win_rate(oracle).TA < 1\n  expect b.win_rate(oracle).TA > 0.5\n}\n", canonical);
    }

    [Fact]
    public void The_diff_lists_expectations_added_and_removed_and_ignores_their_order_and_spelling()
    {
        var reordered = "experiment e {\n  expect nrg_ta.win_rate(oracle).TA>nrg_vq_mq.win_rate(vr).Overall\n  seed = 7\n  expect dpo.win_rate(oracle).TA > 0.50\n}\n";
        Assert.Empty(Diff(Base, reordered));

        var changed = Base.Replace("TA > 0.5", "TA > 0.6", StringComparison.Ordinal);
        Assert.Equal(["- expect dpo.win_rate(oracle).TA > 0.5", "+ expect dpo.win_rate(oracle).TA > 0.6"], Diff(Base, changed));

        var withReplicates = Base.Replace("seed = 7", "seed = 7\n  replicates = 10", StringComparison.Ordinal);
        Assert.Equal(["replicates: (unset) → 10"], Diff(Base, withReplicates));

        var json = SemanticDiff.FormatJson(SemanticDiff.Compare(TestFiles.ParseText(Base).Root.Experiment, TestFiles.ParseText(changed).Root.Experiment));
        Assert.Contains("\"change\": \"expectation-removed\"", json, StringComparison.Ordinal);
        Assert.Contains("\"change\": \"expectation-added\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extending_file_adds_expectations_to_those_of_its_base()
    {
        var resolved = Composition.Resolve("a.pipe", p => p switch
        {
            "a.pipe" => "experiment a extends \"b.pipe\" {\n  replicates = 3\n  expect rwr.win_rate(oracle).MQ > 0.5\n}\n",
            "b.pipe" => Base,
            _ => null,
        });
        Assert.Empty(resolved.Diagnostics);
        Assert.Equal(
            ["dpo.win_rate(oracle).TA > 0.5", "nrg_ta.win_rate(oracle).TA > nrg_vq_mq.win_rate(vr).Overall", "rwr.win_rate(oracle).MQ > 0.5"],
            resolved.Experiment.Members.OfType<ExpectationSyntax>().Select(SyntaxFormatter.FormatExpectation));
        var added = resolved.Experiment.Members.OfType<ExpectationSyntax>().Last();
        Assert.Equal("a.pipe", resolved.OriginOf(added));
        Assert.Equal("b.pipe", resolved.OriginOf(resolved.Experiment.Members.OfType<ExpectationSyntax>().First()));
    }
}

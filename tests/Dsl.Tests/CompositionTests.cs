using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Tests;

public sealed class CompositionTests
{
    private static ResolvedExperiment ResolveCorpus(string name) =>
        Composition.Resolve(Path.Combine(TestFiles.CorpusDirectory, name), Composition.ReadFileOrNull);

    private static ResolvedExperiment ResolveInMemory(string path, Dictionary<string, string> files) =>
        Composition.Resolve(path, p => files.GetValueOrDefault(p.Replace('\\', '/')));

    private static StageSyntax Stage(ResolvedExperiment resolved, string name) =>
        resolved.Experiment.Members.OfType<StageSyntax>().Single(s => s.Name.Name == name);

    private static ValueSyntax Property(StageSyntax stage, string name) => stage.Properties.Single(p => p.Name.Name == name).Value;

    [Fact]
    public void Three_line_variant_changes_only_beta()
    {
        var variant = ResolveCorpus("videoalign-variant.pipe");
        var sketch = ResolveCorpus("videoalign-sketch.pipe");
        Assert.Empty(variant.Diagnostics);
        Assert.Equal(3, File.ReadAllText(Path.Combine(TestFiles.CorpusDirectory, "videoalign-variant.pipe")).TrimEnd('\n').Split('\n').Length);
        Assert.Equal("2000", ((IntegerLiteralSyntax)Property(Stage(variant, "dpo"), "beta")).Text);
        Assert.Null(variant.Experiment.Extends);
        var changes = SemanticDiff.Compare(sketch.Experiment, variant.Experiment);
        Assert.Equal(["experiment: videoalign_mini → videoalign_beta2000", "dpo.beta: 500 → 2000"], changes.Select(c => c.ToString()));
        Assert.Equal(2, variant.Files.Length);
    }

    [Fact]
    public void Overrides_reach_map_keys_inline_stages_and_new_properties()
    {
        var resolved = ResolveCorpus("overrides.pipe");
        Assert.Empty(resolved.Diagnostics);
        var split = (MapSyntax)Property(Stage(resolved, "prefs"), "split");
        Assert.Equal(["train: 0.8", "eval: 0.2"], split.Entries.Select(e => e.Key.Name + ": " + ((RealLiteralSyntax)e.Value).Text));
        var reward = (InlineStageSyntax)Property(Stage(resolved, "nrg"), "reward");
        Assert.False(((BooleanLiteralSyntax)reward.Properties.Single(p => p.Name.Name == "noisy").Value).Value);
        Assert.Equal("100", ((IntegerLiteralSyntax)Property(Stage(resolved, "dpo"), "warmup")).Text);
        Assert.Equal("dpo", ((ReferenceSyntax)Property(Stage(resolved, "sft"), "policy")).Dotted);
        Assert.Equal("11", ((IntegerLiteralSyntax)resolved.Experiment.Members.OfType<PropertySyntax>().Single(p => p.Name.Name == "seed").Value).Text);
        Assert.Equal(10, resolved.Experiment.Members.OfType<StageSyntax>().Count());
    }

    [Fact]
    public void Origins_name_the_file_each_stage_and_property_came_from()
    {
        var resolved = ResolveCorpus("overrides.pipe");
        var sketch = Path.Combine(TestFiles.CorpusDirectory, "videoalign-sketch.pipe");
        var overrides = Path.Combine(TestFiles.CorpusDirectory, "overrides.pipe");
        Assert.Equal(sketch, resolved.OriginOf(Stage(resolved, "world")));
        Assert.Equal(overrides, resolved.OriginOf(Stage(resolved, "sft")));
        var dpo = Stage(resolved, "dpo");
        Assert.Equal(overrides, resolved.OriginOf(dpo.Properties.Single(p => p.Name.Name == "warmup")));
        Assert.Equal(sketch, resolved.OriginOf(dpo.Properties.Single(p => p.Name.Name == "beta")));
    }

    [Fact]
    public void An_extends_cycle_is_a_diagnostic()
    {
        var resolved = ResolveInMemory("a.pipe", new()
        {
            ["a.pipe"] = "experiment a extends \"b.pipe\" {\n  seed = 1\n}\n",
            ["b.pipe"] = "experiment b extends \"a.pipe\" {\n  seed = 2\n}\n",
        });
        var diagnostic = Assert.Single(resolved.Diagnostics);
        Assert.Equal(DiagnosticBuilder.ExtendsCycleCode, diagnostic.Code);
        Assert.Equal("b.pipe", diagnostic.Path);
        Assert.Contains("a.pipe → b.pipe → a.pipe", diagnostic.Message);
    }

    [Fact]
    public void A_file_extending_itself_is_a_cycle()
    {
        var resolved = ResolveInMemory("a.pipe", new() { ["a.pipe"] = "experiment a extends \"a.pipe\" {}\n" });
        Assert.Equal(DiagnosticBuilder.ExtendsCycleCode, Assert.Single(resolved.Diagnostics).Code);
    }

    [Fact]
    public void A_missing_base_file_is_a_diagnostic_on_the_extends_path()
    {
        var resolved = ResolveInMemory("dir/a.pipe", new() { ["dir/a.pipe"] = "experiment a extends \"missing.pipe\" {\n}\n" });
        var diagnostic = Assert.Single(resolved.Diagnostics);
        Assert.Equal(DiagnosticBuilder.BaseFileNotFoundCode, diagnostic.Code);
        Assert.Equal((1, 22), resolved.SourceOf("dir/a.pipe")!.GetLineColumn(diagnostic.Span.Start));
    }

    [Fact]
    public void Base_paths_are_relative_to_the_extending_file()
    {
        var resolved = ResolveInMemory("x/y/variant.pipe", new()
        {
            ["x/y/variant.pipe"] = "experiment v extends \"../base.pipe\" {\n  m.width = 64\n}\n",
            ["x/y/../base.pipe"] = "experiment b {\n  model m = flow_generator { width = 32 }\n}\n",
        });
        Assert.Empty(resolved.Diagnostics);
        Assert.Equal("64", ((IntegerLiteralSyntax)Property(Stage(resolved, "m"), "width")).Text);
    }

    [Fact]
    public void Override_of_a_missing_stage_is_a_diagnostic_with_a_suggestion()
    {
        var resolved = ResolveInMemory("a.pipe", new()
        {
            ["a.pipe"] = "experiment a extends \"b.pipe\" {\n  dp.beta = 1\n}\n",
            ["b.pipe"] = "experiment b {\n  align dpo = flow_dpo { beta = 500 }\n}\n",
        });
        var diagnostic = Assert.Single(resolved.Diagnostics);
        Assert.Equal(DiagnosticBuilder.OverrideOfUnknownStageCode, diagnostic.Code);
        Assert.Contains("did you mean 'dpo'", diagnostic.Message);
        Assert.Equal((2, 3), resolved.SourceOf("a.pipe")!.GetLineColumn(diagnostic.Span.Start));
    }

    [Fact]
    public void Override_of_a_missing_property_is_applied_for_the_compiler_to_judge()
    {
        var resolved = ResolveInMemory("a.pipe", new()
        {
            ["a.pipe"] = "experiment a extends \"b.pipe\" {\n  dpo.no_such = 1\n  dpo.new_map.key = 2\n}\n",
            ["b.pipe"] = "experiment b {\n  align dpo = flow_dpo { beta = 500 }\n}\n",
        });
        Assert.Empty(resolved.Diagnostics);
        var dpo = Stage(resolved, "dpo");
        Assert.Equal(["beta", "no_such", "new_map"], dpo.Properties.Select(p => p.Name.Name));
        Assert.Equal("{ key: 2 }", Formatting.SyntaxFormatter.FormatValueInline(Property(dpo, "new_map")));
    }

    [Fact]
    public void Override_into_a_scalar_is_a_diagnostic()
    {
        var resolved = ResolveInMemory("a.pipe", new()
        {
            ["a.pipe"] = "experiment a extends \"b.pipe\" {\n  dpo.beta.x = 1\n}\n",
            ["b.pipe"] = "experiment b {\n  align dpo = flow_dpo { beta = 500 }\n}\n",
        });
        Assert.Equal(DiagnosticBuilder.OverrideIntoScalarCode, Assert.Single(resolved.Diagnostics).Code);
    }

    [Fact]
    public void A_redeclared_stage_replaces_the_inherited_one_in_place()
    {
        var resolved = ResolveInMemory("a.pipe", new()
        {
            ["a.pipe"] = "experiment a extends \"b.pipe\" {\n  align x = flow_rwr { steps = 2 }\n}\n",
            ["b.pipe"] = "experiment b {\n  align x = flow_dpo { beta = 500 }\n  align y = flow_sft {}\n}\n",
        });
        Assert.Equal(["x", "y"], resolved.Experiment.Members.OfType<StageSyntax>().Select(s => s.Name.Name));
        Assert.Equal("flow_rwr", Stage(resolved, "x").Kind.Name);
        Assert.Equal(["steps"], Stage(resolved, "x").Properties.Select(p => p.Name.Name));
    }

    [Fact]
    public void Parse_errors_in_the_base_file_carry_the_base_path()
    {
        var resolved = ResolveInMemory("a.pipe", new()
        {
            ["a.pipe"] = "experiment a extends \"b.pipe\" {\n}\n",
            ["b.pipe"] = "experiment b {\n  seed =\n}\n",
        });
        var diagnostic = Assert.Single(resolved.Diagnostics);
        Assert.Equal("b.pipe", diagnostic.Path);
        Assert.StartsWith("b.pipe:2:9: error PIPE0022: ", DiagnosticFormatter.Format(diagnostic, resolved.SourceOf(diagnostic.Path)));
    }

    [Fact]
    public void A_missing_root_file_is_a_diagnostic()
    {
        var resolved = Composition.Resolve("/no/such/file.pipe", Composition.ReadFileOrNull);
        Assert.Equal(DiagnosticBuilder.BaseFileNotFoundCode, Assert.Single(resolved.Diagnostics).Code);
    }

    [Fact]
    public void Canonical_text_ignores_comments_order_and_number_spelling()
    {
        var a = TestFiles.ParseText("experiment e {\n  // c\n  align b = k { y = 0.10, x = 5e-6 }\n  data a = k { m = { q: 1, p: 2 } }\n  seed = 7\n}\n");
        var b = TestFiles.ParseText("experiment e {\n  seed = 07\n  data a = k {\n    m = { p: 2, q: 1 }\n  }\n  align b = k {\n    x = 0.000005\n    y = 0.1\n  }\n}\n");
        Assert.Empty(a.Diagnostics);
        Assert.Empty(b.Diagnostics);
        var canonical = CanonicalForm.Text(a.Root.Experiment);
        Assert.Equal(canonical, CanonicalForm.Text(b.Root.Experiment));
        Assert.Equal("experiment e {\n  seed = 7\n\n  data a = k {\n    m = { p: 2, q: 1 }\n  }\n\n  align b = k {\n    x = 5e-6\n    y = 0.1\n  }\n}\n", canonical);
    }

    [Theory]
    [InlineData(5e-6, "5e-6")]
    [InlineData(0.1, "0.1")]
    [InlineData(500.0, "500.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e30, "1e30")]
    [InlineData(1.5e-300, "1.5e-300")]
    public void Reals_have_one_canonical_spelling(double value, string expected)
    {
        Assert.Equal(expected, CanonicalForm.RealText(value));
        var reparsed = TestFiles.ParseText($"experiment e {{ x = {expected} }}");
        Assert.Equal(value, ((RealLiteralSyntax)((PropertySyntax)reparsed.Root.Experiment.Members[0]).Value).Value);
    }
}

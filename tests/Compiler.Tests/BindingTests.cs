using Pipeline.Compiler.Binding;
using Pipeline.Compiler.Lowering;

namespace Pipeline.Compiler.Tests;

public sealed class BindingTests
{
    [Fact]
    public void The_mini_experiment_binds_without_diagnostics()
    {
        var compilation = Sources.Compile(Sources.Mini);
        Assert.Empty(compilation.Diagnostics);
        Assert.Equal(
            ["ae", "base", "dpo", "nrg", "nrg.reward", "prefs", "report", "rwr", "vr", "world"],
            compilation.SemanticModel.Stages.Select(s => s.Name));
    }

    [Fact]
    public void An_inline_stage_is_a_stage_of_its_own_with_its_own_hash()
    {
        var model = Sources.Compile(Sources.Mini).SemanticModel;
        var inline = model.FindStage("nrg.reward")!;
        Assert.Equal("latent_reward", inline.Kind.Name);
        Assert.Equal("nrg", inline.Parent);
        Assert.Equal(["prefs"], inline.Dependencies.ToArray());
        Assert.Contains("nrg.reward", model.FindStage("nrg")!.Dependencies);
        Assert.Matches("^[0-9a-f]{64}$", inline.Hash);
        Assert.NotEqual(model.FindStage("nrg")!.Hash, inline.Hash);
    }

    [Fact]
    public void Defaults_are_filled_in_and_variants_carry_every_argument()
    {
        var model = Sources.Compile(Sources.Mini).SemanticModel;
        var dpo = model.FindStage("dpo")!;
        Assert.Equal("{value: 500.0}".Replace("{value: 500.0}", "500.0", StringComparison.Ordinal), CanonicalValue.Format(dpo.Find("beta")!.Value));
        Assert.True(dpo.Find("steps")!.IsDefault);
        Assert.Equal("300", CanonicalValue.Format(dpo.Find("steps")!.Value));
        var pretrain = (BoundMap)model.FindStage("base")!.Find("pretrain")!.Value;
        Assert.Equal(["data", "steps", "lr", "batch"], pretrain.Fields.Select(f => f.Name));
        var loss = (BoundVariant)model.FindStage("vr")!.Find("loss")!.Value;
        Assert.Equal("btt", loss.Case);
        Assert.Equal("btt(theta: 5.0)", CanonicalValue.Format(loss));
        var relabel = ((BoundReference)dpo.Find("pairs")!.Value).Steps[1];
        Assert.Equal(["reward", "dimensions"], relabel.Arguments.Select(a => a.Name));
    }

    [Fact]
    public void A_real_is_spelled_as_the_canonical_form_spells_it_in_the_canonical_source_and_the_hashes()
    {
        // The compiler wrote 1e-05 where `pipeline fmt` writes 1e-5: two spellings of one number.
        Assert.Equal(["1e-5", "2.5e-7", "0.0001", "1e20", "3.0", "-0.5", "inf", "-inf"], new[] { 1e-5, 2.5e-7, 1e-4, 1e20, 3, -0.5, double.PositiveInfinity, double.NegativeInfinity }.Select(CanonicalValue.Real));
        Assert.All(new[] { 1e-5, 2.5e-7, 1e-4, 1e20, 3, -0.5 }, value => Assert.Equal(Pipeline.Dsl.Semantics.CanonicalForm.RealText(value), CanonicalValue.Real(value)));
    }

    [Fact]
    public void Stage_hashes_ignore_formatting_comments_and_stage_order()
    {
        var first = Sources.Compile(Sources.Hello).SemanticModel;
        var reordered = Sources.Compile("""
            // a comment
            experiment hello {
              device = auto
              model gen = flow_generator { width = 128, pretrain = { batch: 32, lr: 0.001, steps: 300, data: world.videos } }
              data world = synthetic_videos { generators = 3, resolution = [8, 8], frames = 4, eval_prompts = 8, prompts = 16 }
              seed = 7
            }
            """).SemanticModel;
        Assert.Equal(first.Stages.Select(s => s.Hash), reordered.Stages.Select(s => s.Hash));
    }

    [Fact]
    public void Writing_a_default_explicitly_keeps_the_hash()
    {
        var implicitDefault = Sources.Compile(Sources.Hello).SemanticModel.FindStage("gen")!.Hash;
        var explicitDefault = Sources.Compile(Sources.Mutate(Sources.Hello, "width = 128", "width = 128\n    sampling_steps = 16")).SemanticModel.FindStage("gen")!.Hash;
        Assert.Equal(implicitDefault, explicitDefault);
    }

    [Fact]
    public void A_change_upstream_invalidates_the_stages_downstream_only()
    {
        var before = Sources.Compile(Sources.Mini).SemanticModel;
        var after = Sources.Compile(Sources.Mini, "vr.epochs=3").SemanticModel;
        var invalidated = ExperimentDiff.Invalidated(before, after).Select(s => s.Stage).ToArray();
        Assert.Equal(["dpo", "nrg", "report", "rwr", "vr"], invalidated);
        Assert.Equal(["vr.epochs"], ExperimentDiff.Values(before, after).Select(c => c.Path));
    }

    [Fact]
    public void The_seed_and_the_runtime_version_enter_every_stage_hash()
    {
        var seven = Sources.Compile(Sources.Hello).SemanticModel.FindStage("world")!.Hash;
        var eight = Sources.Compile(Sources.Hello, "seed=8").SemanticModel.FindStage("world")!.Hash;
        Assert.NotEqual(seven, eight);
        var model = Sources.Compile(Sources.Hello).SemanticModel;
        Assert.NotEqual(StageHasher.Hash(model.FindStage("world")!, model, "1.0.0"), StageHasher.Hash(model.FindStage("world")!, model, "1.0.1"));
    }

    [Fact]
    public void Renaming_a_stage_changes_its_hash_because_its_random_seed_derives_from_the_name()
    {
        // RunContext.StageSeed(name): the renamed stage trains with other random numbers, so it must not reuse the
        // old name's cache entry; the stages downstream see a new upstream and recompute too.
        var before = Sources.Compile(Sources.Hello).SemanticModel;
        var after = Sources.Compile(Sources.Hello.Replace("model gen =", "model gen2 =", StringComparison.Ordinal)).SemanticModel;
        Assert.Equal(before.FindStage("world")!.Hash, after.FindStage("world")!.Hash);
        Assert.NotEqual(before.FindStage("gen")!.Hash, after.FindStage("gen2")!.Hash);
    }

    [Fact]
    public void Set_overrides_are_applied_before_binding_and_change_the_source_hash()
    {
        var plain = Sources.Compile(Sources.Mini);
        var overridden = Sources.Compile(Sources.Mini, "dpo.beta=timestep(2000)", "prefs.split.train=0.8", "prefs.split.eval=0.2", "seed=3");
        Assert.Empty(overridden.Diagnostics);
        Assert.NotEqual(plain.SourceSha256, overridden.SourceSha256);
        Assert.Equal("timestep(beta: 2000.0)", CanonicalValue.Format(overridden.SemanticModel.FindStage("dpo")!.Find("beta")!.Value));
        Assert.Equal(3, overridden.SemanticModel.Seed);
    }

    [Fact]
    public void A_bad_set_value_is_reported_in_the_command_line()
    {
        var compilation = Sources.Compile(Sources.Mini, "dpo.beta=-5");
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal("PIPE2003", diagnostic.Code);
        Assert.Equal("--set dpo.beta", diagnostic.Path);
        Assert.Equal(0, diagnostic.Span.Start);
    }

    [Fact]
    public void Set_into_an_inline_stage_reaches_its_property()
    {
        var compilation = Sources.Compile(Sources.Mini, "nrg.reward.epochs=9");
        Assert.Empty(compilation.Diagnostics);
        Assert.Equal("9", CanonicalValue.Format(compilation.SemanticModel.FindStage("nrg.reward")!.Find("epochs")!.Value));
    }

    [Fact]
    public void Sweeps_are_expanded_into_a_grid_and_counted()
    {
        var compilation = Sources.Compile(Sources.Mutate(Sources.Mutate(Sources.Mini, "beta = 500", "beta = sweep [100, 500, 2000]"), "samples = 64", "samples = sweep [32, 64]"));
        Assert.Empty(compilation.Diagnostics);
        Assert.Equal(6, compilation.SweepCount);
        var points = compilation.SweepPoints();
        Assert.Equal([("dpo.beta", "100"), ("rwr.samples", "32")], points[0]);
        Assert.Equal([("dpo.beta", "2000"), ("rwr.samples", "64")], points[5]);
        var last = compilation.WithSweepPoint(5);
        Assert.Equal(1, last.SweepCount);
        Assert.Equal("2000.0", CanonicalValue.Format(last.SemanticModel.FindStage("dpo")!.Find("beta")!.Value));
        Assert.NotEqual(compilation.WithSweepPoint(0).SourceSha256, last.SourceSha256);
    }

    [Fact]
    public void The_graph_has_a_node_per_stage_and_an_edge_per_dependency()
    {
        var model = Sources.Compile(Sources.Hello).SemanticModel;
        Assert.Equal("flowchart LR\n  s0[\"gen<br/>flow_generator\"]\n  s1[\"world<br/>synthetic_videos\"]\n  s1 --> s0\n", GraphWriter.Mermaid(model));
        Assert.Contains("\"world\" -> \"gen\";", GraphWriter.Dot(model), StringComparison.Ordinal);
    }
}

using Pipeline.Compiler.Lowering;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// A generator's sampling settings (cfg_scale, sampling_steps of flow_generator) are evaluation settings: out of the
/// hash of the generator and of the stages trained from it, in the hash of every guide and evaluate stage downstream,
/// and written into StageInfo.Sampling for the trained generators, which a cached one samples with. flow_rwr's own
/// sampling settings stay in its hash (its training samples use them); a guide's own sampling_steps are in its hash
/// and its evaluations', as its generator's are.
/// </summary>
public sealed class SamplingSettingTests
{
    [Fact]
    public void Changing_a_generators_sampling_setting_changes_only_the_stages_that_sample_for_evaluation()
    {
        var plain = Sources.Compile(Sources.Mini);
        var changed = Sources.Compile(Sources.Mini, "base.sampling_steps=3", "base.cfg_scale=2.5");
        Assert.Empty(plain.Diagnostics);
        Assert.Empty(changed.Diagnostics);
        var before = plain.SemanticModel.Stages.ToDictionary(s => s.Name, s => s.Hash);
        var after = changed.SemanticModel.Stages.ToDictionary(s => s.Name, s => s.Hash);
        var rerun = before.Keys.Where(name => before[name] != after[name]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["nrg", "report"], rerun);
        foreach (var trained in new[] { "base", "dpo", "rwr" })
        {
            Assert.Equal(before[trained], after[trained]);
        }

        var preimage = StageHasher.Preimage(changed.SemanticModel.FindStage("report")!, changed.SemanticModel, changed.RuntimeVersion);
        Assert.Contains("sampling base.cfg_scale = 2.5\nsampling base.sampling_steps = 3\n", preimage, StringComparison.Ordinal);
        Assert.DoesNotContain("property sampling_steps", StageHasher.Preimage(changed.SemanticModel.FindStage("base")!, changed.SemanticModel, changed.RuntimeVersion), StringComparison.Ordinal);
    }

    [Fact]
    public void A_guides_own_sampling_steps_rerun_only_the_guide_and_what_samples_through_it()
    {
        var plain = Sources.Compile(Sources.Mini);
        var changed = Sources.Compile(Sources.Mini, "nrg.sampling_steps=3");
        Assert.Empty(changed.Diagnostics);
        var before = plain.SemanticModel.Stages.ToDictionary(s => s.Name, s => s.Hash);
        var after = changed.SemanticModel.Stages.ToDictionary(s => s.Name, s => s.Hash);
        Assert.Equal(["nrg", "report"], before.Keys.Where(name => before[name] != after[name]).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("property sampling_steps = 3\n", StageHasher.Preimage(changed.SemanticModel.FindStage("nrg")!, changed.SemanticModel, changed.RuntimeVersion), StringComparison.Ordinal);
    }

    [Fact]
    public void Flow_rwr_samples_its_training_videos_with_its_own_settings_inside_its_hash()
    {
        var plain = Sources.Compile(Sources.Mini);
        var changed = Sources.Compile(Sources.Mini, "rwr.sampling_steps=3");
        Assert.Empty(changed.Diagnostics);
        Assert.NotEqual(plain.SemanticModel.FindStage("rwr")!.Hash, changed.SemanticModel.FindStage("rwr")!.Hash);
        Assert.Equal(plain.SemanticModel.FindStage("base")!.Hash, changed.SemanticModel.FindStage("base")!.Hash);
        Assert.Equal(plain.SemanticModel.FindStage("dpo")!.Hash, changed.SemanticModel.FindStage("dpo")!.Hash);
    }

    [Fact]
    public void Trained_generators_carry_the_sampling_settings_they_sample_with()
    {
        var model = Sources.Compile(Sources.Mini, "base.sampling_steps=3", "base.cfg_scale=2.5").SemanticModel;
        Assert.Equal((3L, 2.5), ExperimentLowering.SamplingOf(model.FindStage("base")!, model));
        Assert.Equal((3L, 2.5), ExperimentLowering.SamplingOf(model.FindStage("dpo")!, model));
        Assert.Equal((3L, 2.5), ExperimentLowering.SamplingOf(model.FindStage("rwr")!, model));
        Assert.Null(ExperimentLowering.SamplingOf(model.FindStage("nrg")!, model));
        Assert.Null(ExperimentLowering.SamplingOf(model.FindStage("report")!, model));
    }
}

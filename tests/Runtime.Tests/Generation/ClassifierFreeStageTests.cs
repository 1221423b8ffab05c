using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.ClassifierFree;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Models;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Generation;

/// <summary><c>classifier_free</c>: the same network sampled at another guidance scale, nothing trained.</summary>
public sealed class ClassifierFreeStageTests
{
    [Fact]
    public void The_stage_samples_the_same_network_at_the_new_scale()
    {
        var world = GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);
        var context = GenerationFixtures.Context();
        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Width = 16, SamplingSteps = 3, CfgScale = 2.0 };
        options.Pretrain.Data = world.Videos;
        options.Pretrain.Steps = 5;
        options.Pretrain.Batch = 8;
        var generator = (FlowGeneratorModel)FlowGeneratorStage.Run(context, "base", context.MLContextFor("base").Models().FlowGenerator(options)).Artifact;

        var stage = ClassifierFreeStage.Run(context, "base_cfg4", KindDefaults.Of<ClassifierFreeOptions>() with { Generator = generator, Scale = 4.0 });

        var guided = Assert.IsType<FlowGeneratorModel>(stage.Artifact);
        Assert.Same(generator.Network, guided.Network);
        Assert.Equal(4.0, guided.CfgScale);
        Assert.Equal(2.0, generator.CfgScale);
        Assert.Equal(4.0, stage.Metrics["cfg_scale"]);
        var prompts = new[] { world.EvalPrompts[0], world.EvalPrompts[1] };
        var expected = generator.Generate(prompts, 11, generator.SamplingSteps, 4.0);
        var actual = guided.Generate(prompts, 11);
        Assert.Equal(expected.SelectMany(v => v.Data), actual.SelectMany(v => v.Data));
    }

    [Fact]
    public void The_guided_velocity_is_the_null_velocity_plus_scale_times_the_difference()
    {
        var world = GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);
        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Width = 16, SamplingSteps = 3 };
        options.Pretrain.Data = world.Videos;
        options.Pretrain.Steps = 5;
        options.Pretrain.Batch = 8;
        var context = GenerationFixtures.Context();
        var generator = (FlowGeneratorModel)FlowGeneratorStage.Run(context, "base", context.MLContextFor("base").Models().FlowGenerator(options)).Artifact;
        using var noGrad = no_grad();
        using var tokens = PromptTokens.Encode(new[] { world.EvalPrompts[0], world.EvalPrompts[1] }, CPU);
        using var x = generator.Noise(2, 3, 0);
        using var t = full(new long[] { 2 }, 0.5f);

        // v_null + s·(v_prompt − v_null), from two separate network calls, for s = 0, 1 and 3.
        using var prompted = generator.Network.forward(x, t, tokens);
        using var unprompted = generator.Network.forward(x, t, zeros_like(tokens));
        foreach (var scale in new[] { 0.0, 1.0, 3.0 })
        {
            using var expected = unprompted + ((float)scale * (prompted - unprompted));
            using var actual = generator.Velocity(x, t, tokens, scale);
            Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"scale {scale}");
        }
    }
}

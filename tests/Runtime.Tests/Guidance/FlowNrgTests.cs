using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.Autoencoder;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Kinds.FlowNrg;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Generation;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Guidance;

/// <summary>Flow-NRG: the guidance term against closed-form values, and the two stages end to end on a tiny world.</summary>
public sealed class FlowNrgTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), "pipeline-nrg-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(0.5, 10.0, 1.0)]
    [InlineData(0.75, 10.0, 3.0)]
    [InlineData(0.9, 10.0, 9.0)]
    [InlineData(0.9375, 10.0, 10.0)] // t/(1 − t) = 15, capped
    [InlineData(0.9375, 20.0, 15.0)]
    [InlineData(1.0, 10.0, 0.0)] // the paper skips t = 1
    [InlineData(0.0, 10.0, 0.0)]
    public void The_coefficient_is_t_over_one_minus_t_capped_and_zero_at_t_one(double t, double cap, double expected) =>
        Assert.Equal(expected, GuidedFlowGenerator.Coefficient(t, cap), 12);

    [Fact]
    public void The_guided_velocity_matches_the_closed_form_for_a_linear_reward()
    {
        // A linear latent reward r_k(z) = Σ_{c,p} a_{k,c} · z_{c,p} on the reward's normalised latents
        // z = (x·σ_g + μ_g − μ_r) / σ_r, so ∂(Σ_k λ_k r_k)/∂x_{c,p} = Σ_k λ_k a_{k,c} · σ_g,c / σ_r,c for every position p.
        var (generator, autoencoder) = TinyLatentGenerator();
        var space = generator.Space;
        var channels = space.Mean.Length;
        var a = new float[,] { { 1.0f, -2.0f }, { 0.5f, 0.25f }, { -1.0f, 3.0f } }; // [dimension, channel], channels = 2
        Assert.Equal(2, channels);
        var rewardMean = new[] { 0.3f, -0.2f };
        var rewardDeviation = new[] { 2.0f, 0.5f };
        var reward = new LatentRewardModel(new LinearReward(a), autoencoder, new[] { "VQ", "MQ", "TA" }, noisy: true, rewardMean, rewardDeviation);
        var weights = new Dictionary<string, double> { ["VQ"] = 0.1, ["MQ"] = 0.1, ["TA"] = 0.8 };
        var guided = new GuidedFlowGenerator(generator, reward, weights, strength: 100, coefficientCap: 10);

        var shape = space.SampleShape(2);
        var x = randn(shape, generator: new Generator(3));
        var v = randn(shape, generator: new Generator(4));
        var tokens = PromptTokens.Encode(new[] { "a red disk", "a blue square" }, CPU);
        var t = full(new long[] { 2 }, 0.75f);
        var result = guided.Guide(x, t, 0.75, tokens, v).data<float>().ToArray();

        var lambda = new[] { 0.1, 0.1, 0.8 };
        var velocity = v.data<float>().ToArray();
        var perChannel = Enumerable.Range(0, channels)
            .Select(c => Enumerable.Range(0, 3).Sum(k => lambda[k] * a[k, c]) * space.Deviation[c] / rewardDeviation[c])
            .ToArray();
        var positions = velocity.Length / (2 * channels);
        for (var i = 0; i < velocity.Length; i++)
        {
            var channel = i / positions % channels;
            var expected = velocity[i] - (100 * 3.0 * perChannel[channel]); // w = 100, t/(1 − t) = 3 at t = 0.75
            Assert.Equal(expected, result[i], 3);
        }

        // At t = 1 the velocity is left alone.
        var atOne = guided.Guide(x, full(new long[] { 2 }, 1f), 1.0, tokens, v).data<float>().ToArray();
        Assert.Equal(velocity, atOne);
    }

    [Fact]
    public void Latent_reward_and_flow_nrg_train_guide_and_refuse_a_clean_reward_without_ablation()
    {
        var world = GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);
        var context = GenerationFixtures.Context(output: output);
        var (generator, autoencoder) = TinyLatentGenerator(world, context);
        var pairs = PreferencePairSet.FromWorld(world.Synthetic, world.Pairs(48).Pairs, new[] { PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA });

        var noisy = LatentRewardStage.Run(context, "lr", context.MLContextFor("lr").Rewards().LatentReward(KindDefaults.Of<LatentRewardOptions>() with { Train = pairs, Autoencoder = autoencoder, Noisy = true, Width = 8, Epochs = 2, Lr = 1e-3, Batch = 16 }));
        var model = Assert.IsType<LatentRewardModel>(noisy.Artifact);
        Assert.Equal(new[] { "VQ", "MQ", "TA" }, model.Dimensions);
        Assert.Equal(6, noisy.Metrics["steps"]); // 2 epochs × ⌈48 / 16⌉

        var options = KindDefaults.Of<FlowNrgOptions>() with { Generator = generator, Reward = model, Weights = new Dictionary<string, double> { ["TA"] = 1.0 }, Strength = 100, CoefficientCap = 10 };
        var guided = Assert.IsType<GuidedFlowGenerator>(FlowNrgStage.Run(context, "nrg", options).Artifact);
        var prompts = world.EvalPrompts.Take(3).ToArray();
        var plain = generator.Generate(prompts, 5);
        var steered = guided.Generate(prompts, 5);
        Assert.Equal(steered.Select(v => v.Data), guided.Generate(prompts, 5).Select(v => v.Data)); // seeded
        Assert.NotEqual(plain[0].Data, steered[0].Data);

        // A reward without an autoencoder is trained by flow_nrg on the generator's.
        var pending = LatentRewardStage.Run(context, "lr2", context.MLContextFor("lr2").Rewards().LatentReward(KindDefaults.Of<LatentRewardOptions>() with { Train = pairs, Noisy = false, Width = 8, Epochs = 1, Lr = 1e-3, Batch = 16 }));
        Assert.IsType<PendingLatentReward>(pending.Artifact);
        var refused = Assert.Throws<PipelineException>(() => FlowNrgStage.Run(context, "nrg2", KindDefaults.Of<FlowNrgOptions>() with { Generator = generator, Reward = (ILatentReward)pending.Artifact, Weights = options.Weights, Strength = 100, CoefficientCap = 10 }));
        Assert.Contains("ablation = true", refused.Message);
        var ablation = FlowNrgStage.Run(context, "nrg3", KindDefaults.Of<FlowNrgOptions>() with { Generator = generator, Reward = (ILatentReward)pending.Artifact, Weights = options.Weights, Strength = 100, CoefficientCap = 10, Ablation = true });
        Assert.Equal(false, ablation.Metrics["reward_noisy"]);
        Assert.Equal(3, ablation.Metrics["reward_steps"]);
    }

    public void Dispose()
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private (FlowGeneratorModel Generator, VideoAutoencoder Autoencoder) TinyLatentGenerator(World? world = null, RunContext? context = null)
    {
        world ??= GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);
        context ??= GenerationFixtures.Context(output: output);
        var ae = AutoencoderStage.Run(context, "ae", context.MLContextFor("ae").Models().Autoencoder(KindDefaults.Of<AutoencoderOptions>() with { Data = world.Videos, Latent = [2, 2, 2, 2], Width = 8, Steps = 5, Lr = 1e-3, Batch = 8 }));
        var autoencoder = (VideoAutoencoder)ae.Artifact;
        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Autoencoder = autoencoder, Width = 8, SamplingSteps = 4, CfgScale = 1, Timesteps = FlowTimesteps.Uniform };
        options.Pretrain.Data = world.Videos;
        options.Pretrain.Steps = 5;
        options.Pretrain.Batch = 8;
        options.Pretrain.Lr = 1e-3;
        return ((FlowGeneratorModel)FlowGeneratorStage.Run(context, "base", context.MLContextFor("base").Models().FlowGenerator(options)).Artifact, autoencoder);
    }

    /// <summary>r_k(z, t, tokens) = Σ_{c,p} a_{k,c} · z_{c,p}: linear in the latents, ignoring t and the prompt.</summary>
    private sealed class LinearReward : nn.Module<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly float[,] a;

        public LinearReward(float[,] a)
            : base(nameof(LinearReward)) => this.a = a;

        public override Tensor forward(Tensor z, Tensor t, Tensor tokens)
        {
            var perChannel = z.sum(new long[] { 2, 3, 4 }); // [B, C]
            var weights = tensor(Enumerable.Range(0, a.GetLength(0)).SelectMany(k => Enumerable.Range(0, a.GetLength(1)).Select(c => a[k, c])).ToArray(), new long[] { a.GetLength(0), a.GetLength(1) });
            return perChannel.matmul(weights.t());
        }
    }
}

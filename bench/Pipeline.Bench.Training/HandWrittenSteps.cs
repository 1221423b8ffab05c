using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Models.Reward;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Bench.Training;

/// <summary>
/// The baselines of the runtime-overhead benchmark: the same training steps as <see cref="PipelineSteps"/> written as
/// plain TorchSharp loops over the runtime's nn.Modules (<see cref="VelocityConvNet"/>, <see cref="VideoRewardNetwork"/>),
/// as a researcher would write them — no estimator, trainer, checkpoint session, metrics log or Runtime loss helper.
/// Only the loss is read back each step. The data are those of <see cref="PipelineSteps"/>: the same videos and the same
/// prompts, tokenised by the runtime's tokenisers before the loop (how many tokens a prompt has changes the embedding's
/// work), except that the flow steps draw their latents at random instead of encoding the videos. Draws come from the
/// device's default generator seeded with manual_seed, as a researcher would write them (a torch.Generator is a CPU
/// generator in TorchSharp 0.107 and fails on CUDA).
/// </summary>
public sealed class HandWrittenSteps
{
    private readonly BenchSize size;
    private readonly Device device;
    private readonly PipelineSteps source;

    public HandWrittenSteps(PipelineSteps data)
    {
        size = data.Size;
        device = data.Device;
        source = data;
    }

    /// <summary>Flow matching: x_t = (1 − t)·x0 + t·ε, loss = mean (v − (ε − x0))², prompts dropped with p = 0.1.</summary>
    public StepClock FlowMatching(int steps)
    {
        manual_seed(PipelineSteps.Seed);
        var l = size.Latent;
        using var data = randn(new long[] { size.Pairs, l.Channels, l.Frames, l.Height, l.Width }, device: device);
        using var tokens = PromptTokens.Encode(source.Prompts, device);
        using var network = new VelocityConvNet(l, size.GeneratorWidth);
        network.to(device);
        network.train();
        using var adam = optim.Adam(network.parameters(), 1e-3);
        var clock = new StepClock();
        clock.Start();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            var index = randint(size.Pairs, new long[] { size.Batch }, device: device);
            var x0 = data.index_select(0, index);
            var keep = rand(new long[] { size.Batch, 1 }, device: device).ge(0.1).to_type(ScalarType.Int64);
            var prompt = tokens.index_select(0, index) * keep;
            var noise = randn(x0.shape, device: device);
            var t = rand(new long[] { size.Batch }, device: device);
            var tt = t.view(-1, 1, 1, 1, 1);
            var loss = (network.forward(((1 - tt) * x0) + (tt * noise), t, prompt) - (noise - x0)).pow(2).mean();
            loss.backward();
            adam.step();
            _ = loss.item<float>();
            clock.Tick();
        }

        return clock;
    }

    /// <summary>
    /// Flow-DPO with constant β = 500 (full fine-tuning, gradient-norm clip 1): a copy of <paramref name="reference"/>
    /// trained against it, winner and loser sharing ε and t, the reference under no_grad.
    /// </summary>
    public StepClock Dpo(nn.Module<Tensor, Tensor, Tensor, Tensor> reference, int steps)
    {
        manual_seed(PipelineSteps.Seed);
        var l = size.Latent;
        int n = size.Pairs, b = size.Batch;
        using var winners = randn(new long[] { n, l.Channels, l.Frames, l.Height, l.Width }, device: device);
        using var losers = randn(new long[] { n, l.Channels, l.Frames, l.Height, l.Width }, device: device);
        using var tokens = PromptTokens.Encode(source.Prompts, device);
        using var policy = new VelocityConvNet(l, size.GeneratorWidth);
        policy.to(device);
        policy.load_state_dict(reference.state_dict());
        policy.train();
        reference.eval();
        var parameters = policy.parameters().ToArray();
        using var adam = optim.Adam(parameters, 1e-4);
        var clock = new StepClock();
        clock.Start();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            var index = randint(n, new long[] { b }, device: device);
            var x0 = cat(new[] { winners.index_select(0, index), losers.index_select(0, index) }, 0);
            var prompt = tokens.index_select(0, index).repeat(2, 1);
            var noise = randn(new long[] { b, l.Channels, l.Frames, l.Height, l.Width }, device: device).repeat(2, 1, 1, 1, 1);
            var t = rand(new long[] { b }, device: device).repeat(2);
            var tt = t.view(-1, 1, 1, 1, 1);
            var xt = ((1 - tt) * x0) + (tt * noise);
            var target = noise - x0;
            var policyErrors = (policy.forward(xt, t, prompt) - target).pow(2).reshape(2 * b, -1).mean(new long[] { 1 });
            Tensor referenceErrors;
            using (no_grad())
            {
                referenceErrors = (reference.forward(xt, t, prompt) - target).pow(2).reshape(2 * b, -1).mean(new long[] { 1 });
            }

            var change = policyErrors - referenceErrors;
            var inside = -0.5 * 500.0 * (change.narrow(0, 0, b) - change.narrow(0, b, b));
            var loss = -nn.functional.logsigmoid(inside).mean();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            adam.step();
            _ = loss.item<float>();
            clock.Tick();
        }

        return clock;
    }

    /// <summary>The reward model: Bradley-Terry with ties (θ = 5) on VQ, MQ and TA, shuffled minibatches of pairs per epoch.</summary>
    public StepClock Reward(int epochs)
    {
        manual_seed(PipelineSteps.Seed);
        var v = size.Video;
        int n = size.Pairs, b = size.Batch, perEpoch = (n + b - 1) / b;
        using var videosA = tensor(source.VideosA, new long[] { n, v.Channels, v.Frames, v.Height, v.Width }, device: device);
        using var videosB = tensor(source.VideosB, new long[] { n, v.Channels, v.Frames, v.Height, v.Width }, device: device);
        using var tokens = RewardPromptTokens.Encode(source.Prompts, device);
        using var labels = (arange(n * 3, device: device).remainder(3) - 1).to_type(ScalarType.Float32).reshape(n, 3);
        using var network = new VideoRewardNetwork(["VQ", "MQ", "TA"], RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, size.RewardWidth);
        network.to(device);
        network.train();
        using var adam = optim.Adam(network.parameters(), 2e-3);
        var logTheta = Math.Log(5.0);
        var tieConstant = Math.Log((5.0 * 5.0) - 1);
        Tensor? order = null;
        var clock = new StepClock();
        clock.Start();
        for (var step = 0; step < epochs * perEpoch; step++)
        {
            using var scope = NewDisposeScope();
            if (step % perEpoch == 0)
            {
                order?.Dispose();
                order = randperm(n, device: device).MoveToOuterDisposeScope();
            }

            adam.zero_grad();
            var from = (step % perEpoch) * b;
            var index = order!.narrow(0, from, Math.Min(b, n - from));
            var count = index.shape[0];
            var stepTokens = tokens.index_select(0, index);
            var scores = network.forward(cat(new[] { videosA.index_select(0, index), videosB.index_select(0, index) }, 0), cat(new[] { stepTokens, stepTokens }, 0));
            var margins = scores.narrow(0, 0, count) - scores.narrow(0, count, count);
            var h = labels.index_select(0, index);
            var tie = h.eq(0).to_type(ScalarType.Float32);
            var decisive = -nn.functional.logsigmoid((h * margins) - logTheta);
            var tied = -nn.functional.logsigmoid(margins - logTheta) - nn.functional.logsigmoid(-margins - logTheta) - tieConstant;
            var loss = ((decisive * (1 - tie)) + (tied * tie)).mean();
            loss.backward();
            adam.step();
            _ = loss.item<float>();
            clock.Tick();
        }

        order?.Dispose();
        return clock;
    }
}

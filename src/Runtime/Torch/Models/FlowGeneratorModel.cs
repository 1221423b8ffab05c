using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// The Generator artifact of <c>flow_generator</c>: a trained velocity network, the space it works in (autoencoder
/// latents normalised per channel, or pixels in [-1, 1]), and the Euler sampler with classifier-free guidance.
/// Sampling integrates x_{t−Δ} = x_t − Δ·v from t = 1 (noise) to t = 0 (data), with
/// v = v_null + s·(v_prompt − v_null) for guidance scale s (s = 1: the prompt-conditioned velocity alone).
/// </summary>
public sealed class FlowGeneratorModel : IVideoGenerator
{
    public FlowGeneratorModel(nn.Module<Tensor, Tensor, Tensor, Tensor> network, VideoShape shape, LatentSpace space, int samplingSteps, double cfgScale, Device device)
    {
        Network = network;
        Shape = shape;
        Space = space;
        SamplingSteps = samplingSteps;
        CfgScale = cfgScale;
        Device = device;
    }

    /// <summary>The velocity network v(x_t, t, prompt tokens).</summary>
    public nn.Module<Tensor, Tensor, Tensor, Tensor> Network { get; }

    public VideoShape Shape { get; }

    /// <summary>Where samples live and how they become videos.</summary>
    public LatentSpace Space { get; }

    public int SamplingSteps { get; }

    public double CfgScale { get; }

    public Device Device { get; }

    /// <summary>The same network, space and sampler at another guidance scale (the network is shared, not copied).</summary>
    public FlowGeneratorModel WithCfgScale(double cfgScale) => new(Network, Shape, Space, SamplingSteps, cfgScale, Device);

    /// <summary>The same network sampling with other settings (a cached generator gets the run's, contracts.md).</summary>
    public FlowGeneratorModel WithSampling(int samplingSteps, double cfgScale) => new(Network, Shape, Space, samplingSteps, cfgScale, Device);

    /// <summary>
    /// One video per prompt. The noise of video i comes from a torch generator seeded with (seed, i), so a video
    /// depends only on its prompt, its position and the seed: the same prompts and seed give the same videos.
    /// Latent samples are decoded with the autoencoder's pixel noise, drawn from a generator seeded with (¬seed, k)
    /// for each block of 256 prompts starting at k, so decoded videos carry the noise the training videos had.
    /// </summary>
    public IReadOnlyList<Video> Generate(IReadOnlyList<string> prompts, long seed) => Generate(prompts, seed, SamplingSteps, CfgScale);

    /// <inheritdoc cref="Generate(IReadOnlyList{string}, long)"/>
    public IReadOnlyList<Video> Generate(IReadOnlyList<string> prompts, long seed, int steps, double cfgScale) => Generate(prompts, seed, steps, cfgScale, guidance: null);

    /// <summary>
    /// As <see cref="Generate(IReadOnlyList{string}, long)"/>, with <paramref name="guidance"/> adjusting each step's
    /// velocity (see <see cref="SampleLatents"/>).
    /// </summary>
    public IReadOnlyList<Video> Generate(IReadOnlyList<string> prompts, long seed, int steps, double cfgScale, VelocityGuidance? guidance)
    {
        var videos = new List<Video>(prompts.Count);
        const int chunk = 256;
        for (var start = 0; start < prompts.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var part = prompts.Skip(start).Take(chunk).ToArray();
            var latents = SampleLatents(part, seed, start, steps, cfgScale, guidance);
            using var decodeNoise = RandomStream.Create(RandomStream.Derive(~seed, start), Device);
            videos.AddRange(Space.ToVideos(latents, Shape, decodeNoise));
        }

        return videos;
    }

    /// <summary>The initial noise of samples <paramref name="offset"/> … offset + count − 1 for a seed, [count, ...space].</summary>
    public Tensor Noise(int count, long seed, int offset)
    {
        using var scope = NewDisposeScope();
        var rows = new Tensor[count];
        for (var i = 0; i < count; i++)
        {
            using var random = RandomStream.Create(RandomStream.Derive(seed, offset + i), Device);
            rows[i] = random.Randn(Space.SampleShape(1));
        }

        return cat(rows, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Euler sampling in the generator's space (no gradients are tracked by callers that want none). With
    /// <paramref name="guidance"/>, each step's (CFG-combined) velocity v at (x, t) is replaced by guidance(x, t, tokens, v)
    /// before the step x ← x − Δt·v (Flow-NRG's reward guidance).
    /// </summary>
    public Tensor SampleLatents(IReadOnlyList<string> prompts, long seed, int offset, int steps, double cfgScale, VelocityGuidance? guidance = null)
    {
        using var scope = NewDisposeScope();
        Network.eval();
        var tokens = PromptTokens.Encode(prompts, Device);
        var x = Noise(prompts.Count, seed, offset);
        var dt = 1.0 / steps;
        for (var i = 0; i < steps; i++)
        {
            var time = 1.0 - (i * dt);
            var t = full(new long[] { prompts.Count }, (float)time, device: Device);
            var v = Velocity(x, t, tokens, cfgScale);
            if (guidance is not null)
            {
                v = guidance(x, t, time, tokens, v);
            }

            x = x - ((float)dt * v);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The guided velocity v_null + s·(v_prompt − v_null); one network call when s = 1.</summary>
    public Tensor Velocity(Tensor x, Tensor t, Tensor tokens, double cfgScale)
    {
        using var scope = NewDisposeScope();
        if (cfgScale == 1.0)
        {
            return Network.forward(x, t, tokens).MoveToOuterDisposeScope();
        }

        var count = x.shape[0];
        var both = Network.forward(cat(new[] { x, x }, 0), cat(new[] { t, t }, 0), cat(new[] { tokens, zeros_like(tokens) }, 0));
        var conditioned = both.narrow(0, 0, count);
        var unconditioned = both.narrow(0, count, count);
        return (unconditioned + ((float)cfgScale * (conditioned - unconditioned))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Adjusts a sampling step's velocity v at latents x, times t [B] and prompt tokens; returns the velocity to use.
/// <paramref name="time"/> is the step's flow time as a number (every row of t), so guidance need not read it back
/// from the device, which on a GPU would synchronise every step.
/// </summary>
public delegate Tensor VelocityGuidance(Tensor x, Tensor t, double time, Tensor tokens, Tensor v);

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowNrg;

/// <summary>
/// The Generator artifact of <c>flow_nrg</c>: a flow generator sampled with Flow-NRG reward guidance
/// (the paper's Eq. 11, App. C): at every Euler step except t = 1,
/// ṽ = v − w · min(t / (1 − t), cap) · ∇ₓ Σ_k λ_k r_k(x_t, t), where v is the generator's velocity after classifier-free
/// guidance, r the latent reward model, λ the per-dimension weights and w the strength; then x ← x − Δt·ṽ, which moves
/// up the reward gradient. The reward reads the noisy latent directly: nothing is decoded inside the loop.
/// </summary>
/// <remarks>
/// <para>The cap: t/(1 − t) is infinite at t = 1 (the paper skips that step) and still 15 at t = 15/16, the first
/// guided step of a 16-step sampler, where x_t is nearly pure noise and the reward's gradient says least. Capping the
/// coefficient (default 10, the catalogue's <c>coefficient_cap</c>) bounds the push at the noisiest steps without
/// touching the rest of the schedule (t ≤ 10/11).</para>
/// <para>The generator works in its own normalised latent space (<see cref="LatentSpace"/>); the reward was trained in
/// its own normalisation of the same autoencoder's latents, so x is mapped raw = x·σ_g + μ_g, then (raw − μ_r) / σ_r,
/// and the gradient flows back through that affine map.</para>
/// </remarks>
public sealed class GuidedFlowGenerator : IVideoGenerator
{
    public GuidedFlowGenerator(FlowGeneratorModel generator, LatentRewardModel reward, IReadOnlyDictionary<string, double> weights, double strength, double coefficientCap)
    {
        if (generator.Space.Autoencoder is null)
        {
            throw new ArgumentException("Flow-NRG guides a latent generator; this one works in pixel space (it has no autoencoder)");
        }

        // A dimension left out of the file weighs 0 (the catalogue's rule), which a reward need not score.
        foreach (var (key, weight) in weights)
        {
            if (weight != 0 && !reward.Dimensions.Contains(key))
            {
                throw new ArgumentException($"weights: the latent reward scores {string.Join(", ", reward.Dimensions)}, not {key}");
            }
        }

        Generator = generator;
        Reward = reward;
        Weights = weights;
        Strength = strength;
        CoefficientCap = coefficientCap;
    }

    public FlowGeneratorModel Generator { get; }

    public LatentRewardModel Reward { get; }

    /// <summary>λ per reward dimension (missing dimensions weigh 0).</summary>
    public IReadOnlyDictionary<string, double> Weights { get; }

    /// <summary>The guidance strength w.</summary>
    public double Strength { get; }

    /// <summary>The cap on t / (1 − t).</summary>
    public double CoefficientCap { get; }

    public VideoShape Shape => Generator.Shape;

    public IReadOnlyList<Video> Generate(IReadOnlyList<string> prompts, long seed) =>
        Generator.Generate(prompts, seed, Generator.SamplingSteps, Generator.CfgScale, Guide);

    /// <summary>min(t / (1 − t), cap); 0 at t = 1, where the paper skips guidance.</summary>
    public static double Coefficient(double t, double cap) => t >= 1 ? 0 : Math.Min(t / (1 - t), cap);

    /// <summary>The guided velocity ṽ = v − w · coefficient(t) · ∇ₓ Σ λ_k r_k(x, t) for one sampling step (t equal across the batch).</summary>
    public Tensor Guide(Tensor x, Tensor t, double time, Tensor tokens, Tensor v)
    {
        using var scope = NewDisposeScope();
        var coefficient = Coefficient(time, CoefficientCap);
        if (coefficient == 0 || Strength == 0)
        {
            return v.alias().MoveToOuterDisposeScope();
        }

        return (v - ((float)(Strength * coefficient) * RewardGradient(x, t, tokens))).MoveToOuterDisposeScope();
    }

    /// <summary>∇ₓ Σ_i Σ_k λ_k r_k(x_i, t_i) with x in the generator's space [B, c, T, H, W].</summary>
    public Tensor RewardGradient(Tensor x, Tensor t, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        using var enableGrad = enable_grad();
        var space = Generator.Space;
        var input = x.detach().requires_grad_(true);
        var raw = (input * LatentRewardModel.Broadcast(space.Deviation, x.device)) + LatentRewardModel.Broadcast(space.Mean, x.device);
        var scores = Reward.Score(Reward.Normalize(raw), t, tokens);
        var lambda = tensor(Reward.Dimensions.Select(d => (float)Weights.GetValueOrDefault(d)).ToArray(), device: x.device);
        var total = (scores * lambda).sum();
        var gradient = autograd.grad(new[] { total }, new[] { input })[0];
        return gradient.detach().MoveToOuterDisposeScope();
    }
}

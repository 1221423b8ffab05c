using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.FlowNrg;

/// <summary>Options of <c>flow_nrg</c>; defaults and documentation are in the catalogue.</summary>
public sealed record FlowNrgOptions : StageOptions
{
    public required IVideoGenerator Generator { get; set; }

    /// <summary>A trained latent reward, or one to train here on the generator's autoencoder.</summary>
    public required ILatentReward Reward { get; set; }

    /// <summary>The λ of every dimension (the catalogue says what a key left out of the file weighs).</summary>
    public required IReadOnlyDictionary<string, double> Weights { get; set; }

    public required double Strength { get; set; }

    public required double CoefficientCap { get; set; }

    public required bool Ablation { get; set; }

    /// <summary>The guide's own Euler steps; null: the generator's.</summary>
    public int? SamplingSteps { get; set; }
}

/// <summary>
/// <c>flow_nrg</c>: the generator sampled with Flow-NRG reward guidance (<see cref="GuidedFlowGenerator"/>). A latent
/// reward trained on clean latents is refused unless <c>ablation = true</c>, because the paper shows it fails to guide
/// (the compiler reports it too).
/// </summary>
public static class FlowNrgStage
{
    public static StageOutput Run(StageContext context, string name, FlowNrgOptions options)
    {
        var generator = AlignmentStageSupport.Policy(options.Generator, name, "generator");
        if (options.SamplingSteps is { } steps)
        {
            generator = generator.WithSampling(steps, generator.CfgScale);
        }

        var autoencoder = generator.Space.Autoencoder
            ?? throw RuntimeErrors.InvalidOption(name, "generator works in pixel space; Flow-NRG guides a latent generator (give its flow_generator an autoencoder)");
        var reward = options.Reward.Trained(context, autoencoder, out var trained);
        if (!SameAutoencoder(reward.Autoencoder, autoencoder))
        {
            throw RuntimeErrors.InvalidOption(name, "the latent reward was trained on a different autoencoder than the generator's; give latent_reward the generator's autoencoder");
        }

        if (!reward.Noisy && !options.Ablation)
        {
            throw RuntimeErrors.InvalidOption(name, "the latent reward was trained on clean latents (noisy = false), which the paper shows fails to guide; set ablation = true to run the ablation");
        }

        GuidedFlowGenerator guided;
        try
        {
            guided = new GuidedFlowGenerator(generator, reward, options.Weights, options.Strength, options.CoefficientCap);
        }
        catch (ArgumentException error)
        {
            throw RuntimeErrors.InvalidOption(name, error);
        }

        var output = new StageOutput(name, "flow_nrg", guided);
        output.Metrics["weights"] = options.Weights.OrderBy(w => w.Key, StringComparer.Ordinal).ToDictionary(w => w.Key, w => (object?)w.Value);
        output.Metrics["strength"] = options.Strength;
        output.Metrics["coefficient_cap"] = options.CoefficientCap;
        output.Metrics["reward_noisy"] = reward.Noisy;
        if (trained is not null)
        {
            foreach (var (key, value) in trained.Metrics)
            {
                output.Metrics[$"reward_{key}"] = value;
            }
        }

        context.Log($"{name}: guidance w = {options.Strength}, λ = {string.Join(", ", options.Weights.Select(w => $"{w.Key} {w.Value}"))}, {(reward.Noisy ? "noisy" : "clean")} latent reward, {generator.SamplingSteps} Euler steps");
        return output;
    }

    /// <summary>
    /// Whether two autoencoders are the same model: equal shapes and equal weights. Identity is not enough, because a
    /// generator and a latent reward loaded from the stage cache each carry their own copy.
    /// </summary>
    private static bool SameAutoencoder(VideoAutoencoder a, VideoAutoencoder b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.VideoShape != b.VideoShape || a.LatentShape != b.LatentShape || a.Width != b.Width)
        {
            return false;
        }

        using var noGrad = TorchSharp.torch.no_grad();
        return a.parameters().Zip(b.parameters()).All(p => p.First.shape.SequenceEqual(p.Second.shape) && p.First.cpu().allclose(p.Second.cpu(), 0, 0));
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.FlowNrg;

/// <summary>Options of <c>flow_nrg</c>; defaults and documentation are in the catalogue.</summary>
public sealed class FlowNrgOptions : StageOptions
{
    public FlowNrgOptions()
        : base("flow_nrg")
    {
    }

    public IVideoGenerator? Generator { get; set; }

    /// <summary>A trained <see cref="LatentRewardModel"/>, or a <see cref="PendingLatentReward"/> to train here.</summary>
    public object? Reward { get; set; }

    public IReadOnlyDictionary<string, double> Weights { get; set; } = new Dictionary<string, double>();

    public double Strength { get; set; }

    public double CoefficientCap { get; set; }

    public bool Ablation { get; set; }
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
        var autoencoder = generator.Space.Autoencoder
            ?? throw RuntimeErrors.InvalidOption(name, "generator works in pixel space; Flow-NRG guides a latent generator (give its flow_generator an autoencoder)");
        StageOutput? trained = null;
        var reward = options.Reward switch
        {
            LatentRewardModel model => model,
            PendingLatentReward pending => Train(context, pending, autoencoder, out trained),
            _ => throw RuntimeErrors.InvalidOption(name, "reward must be a latent_reward stage"),
        };
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

        context.Log($"{name}: guidance w = {options.Strength}, λ = {string.Join(", ", options.Weights.Select(w => $"{w.Key} {w.Value}"))}, {(reward.Noisy ? "noisy" : "clean")} latent reward");
        return output;
    }

    private static LatentRewardModel Train(StageContext context, PendingLatentReward pending, VideoAutoencoder autoencoder, out StageOutput trained)
    {
        (var model, trained) = pending.Train(context, autoencoder);
        return model;
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

using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>
/// The LatentRewardModel artifact of <c>latent_reward</c>: a trained <see cref="LatentRewardNetwork"/>, the
/// autoencoder whose latents it scores, and its own per-channel latent normalisation (measured on its training
/// videos). <see cref="Noisy"/> says whether it was trained on noisy latents x_t (the paper's design) or on clean ones
/// (the ablation that <c>flow_nrg</c> refuses unless <c>ablation = true</c>).
/// </summary>
public sealed class LatentRewardModel : ILatentReward
{
    public LatentRewardModel(nn.Module<Tensor, Tensor, Tensor, Tensor> network, VideoAutoencoder autoencoder, IReadOnlyList<string> dimensions, bool noisy, float[] mean, float[] deviation)
    {
        Network = network;
        Autoencoder = autoencoder;
        Dimensions = dimensions;
        Noisy = noisy;
        Mean = mean;
        Deviation = deviation;
    }

    /// <summary>r(x_t, t, tokens) → scores [B, D]: a <see cref="LatentRewardNetwork"/> when trained by the stage.</summary>
    public nn.Module<Tensor, Tensor, Tensor, Tensor> Network { get; }

    public VideoAutoencoder Autoencoder { get; }

    /// <summary>The scored dimensions, in the order of the network's outputs.</summary>
    public IReadOnlyList<string> Dimensions { get; }

    /// <summary>True when trained on noisy latents x_t at random t; false when trained on clean latents only.</summary>
    public bool Noisy { get; }

    /// <summary>Per-channel mean of the raw latents of its training videos.</summary>
    public float[] Mean { get; }

    /// <summary>Per-channel standard deviation of the raw latents of its training videos.</summary>
    public float[] Deviation { get; }

    /// <summary>Raw autoencoder latents [B, c, T, H, W] → this model's normalised latents (differentiable).</summary>
    public Tensor Normalize(Tensor raw) => (raw - Broadcast(Mean, raw.device)) / Broadcast(Deviation, raw.device);

    /// <summary>Scores [B, D] of normalised latents at flow times t, for prompt tokens (differentiable in x).</summary>
    public Tensor Score(Tensor normalized, Tensor t, Tensor tokens) => Network.forward(normalized, t, tokens);

    /// <summary>A trained model is its own: whether it fits the generator's autoencoder is the guiding stage's check.</summary>
    public LatentRewardModel Trained(StageContext context, VideoAutoencoder autoencoder, out StageOutput? trained)
    {
        trained = null;
        return this;
    }

    internal static Tensor Broadcast(float[] values, Device device) =>
        tensor(values, new long[] { 1, values.Length, 1, 1, 1 }, device: device);
}

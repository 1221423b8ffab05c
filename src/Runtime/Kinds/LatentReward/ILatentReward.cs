using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>
/// What a <c>latent_reward</c> stage produces: a trained <see cref="LatentRewardModel"/>, or, without an autoencoder,
/// a <see cref="PendingLatentReward"/> that the <c>flow_nrg</c> stage using it trains on its generator's autoencoder.
/// </summary>
public interface ILatentReward
{
    /// <summary>
    /// The trained model for the generator's <paramref name="autoencoder"/>: the model itself, or a pending one
    /// trained now (<paramref name="trained"/> is then the training's stage output, else null).
    /// </summary>
    LatentRewardModel Trained(StageContext context, VideoAutoencoder autoencoder, out StageOutput? trained);
}

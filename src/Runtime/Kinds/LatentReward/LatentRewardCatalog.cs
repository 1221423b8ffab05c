namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary><c>mlContext.Rewards().LatentReward(options)</c>: the latent reward's estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class LatentRewardCatalog
{
    public static LatentRewardEstimator LatentReward(this RewardsCatalog catalog, LatentRewardOptions options) => new(catalog.Context, options);
}

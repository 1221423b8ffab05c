namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary><c>mlContext.Rewards().VideoReward(options)</c>: VideoReward-mini's estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class VideoRewardCatalog
{
    public static VideoRewardEstimator VideoReward(this RewardsCatalog catalog, VideoRewardOptions options) => new(catalog.Context, options);
}

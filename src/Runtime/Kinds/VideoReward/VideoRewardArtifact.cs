namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>The stage cache's form of a reward model: <c>reward.ckpt</c> (<see cref="RewardCheckpoint"/>).</summary>
public static class VideoRewardArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<VideoRewardModel>(
        "video_reward",
        (model, folder) => RewardCheckpoint.Save(model, Path.Combine(folder, "reward.ckpt")),
        (folder, device) => RewardCheckpoint.Load(Path.Combine(folder, "reward.ckpt"), device));
}

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>The stage cache's form of a reward model: its model file (<see cref="VideoRewardFile"/>).</summary>
public static class VideoRewardArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Model<VideoRewardModel>("video_reward", VideoRewardFile.Save, VideoRewardFile.Load);
}

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>The stage cache's form of a latent reward model: its model file (<see cref="LatentRewardFile"/>, with its autoencoder).</summary>
public static class LatentRewardArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Model<LatentRewardModel>("latent_reward", LatentRewardFile.Save, LatentRewardFile.Load);
}

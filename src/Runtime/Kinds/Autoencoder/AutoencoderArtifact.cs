using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary>The stage cache's form of the autoencoder: <c>autoencoder.ckpt</c> (<see cref="AutoencoderCheckpoint"/>).</summary>
public static class AutoencoderArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<VideoAutoencoder>(
        "autoencoder",
        (autoencoder, folder) => AutoencoderCheckpoint.Save(autoencoder, Path.Combine(folder, "autoencoder.ckpt")),
        (folder, device) => AutoencoderCheckpoint.Load(Path.Combine(folder, "autoencoder.ckpt"), device));
}

using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary>The stage cache's form of the autoencoder: its model file (<see cref="AutoencoderFile"/>).</summary>
public static class AutoencoderArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Model<VideoAutoencoder>("autoencoder", AutoencoderFile.Save, AutoencoderFile.Load);
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>
/// A <see cref="VideoAutoencoder"/> as a model file: tensors <c>encoder.0.weight</c> … <c>decoder.3.bias</c>; metadata
/// <see cref="ModelMetadata.VideoShape"/>, <see cref="ModelMetadata.LatentShape"/> and <see cref="ModelMetadata.Width"/>.
/// A flow generator's or a latent reward's file holds its autoencoder the same way under the prefix
/// <c>autoencoder.</c>, with the width under <see cref="ModelMetadata.AutoencoderWidth"/>.
/// </summary>
public static class AutoencoderFile
{
    internal const string Prefix = "autoencoder.";

    public static void Save(VideoAutoencoder autoencoder, string path, ModelProvenance? provenance = null)
    {
        var metadata = ModelMetadata.For(ModelKinds.Autoencoder, provenance);
        Describe(autoencoder, metadata, ModelMetadata.Width);
        ModelFile.Write(path, metadata, ModuleTensors.Collect(autoencoder));
    }

    public static VideoAutoencoder Load(string path, Device device)
    {
        var file = ModelFile.Open(path, ModelKinds.Autoencoder);
        using var tensors = file.ReadTensors();
        ModuleTensors.RequireOnly(tensors.Tensors, path, "encoder.", "decoder.");
        return Restore(file, tensors, string.Empty, ModelMetadata.Width, device);
    }

    /// <summary>Writes the autoencoder's shapes, and its width under <paramref name="widthKey"/>.</summary>
    internal static void Describe(VideoAutoencoder autoencoder, ModelMetadata metadata, string widthKey)
    {
        var latent = autoencoder.LatentShape;
        metadata.SetList(ModelMetadata.VideoShape, autoencoder.VideoShape.ToArray());
        metadata.SetList(ModelMetadata.LatentShape, new[] { latent.Channels, latent.Frames, latent.Height, latent.Width });
        metadata.Set(widthKey, autoencoder.Width);
    }

    /// <summary>The autoencoder a file describes, its weights read from the tensors under <paramref name="prefix"/>, in evaluation mode.</summary>
    internal static VideoAutoencoder Restore(ModelFile.Opened file, ModelFile.TensorSet tensors, string prefix, string widthKey, Device device)
    {
        var metadata = file.Metadata;
        var video = ModelFile.VideoShape(metadata);
        var latent = Latent(metadata);
        var width = metadata.Int(widthKey);
        file.Expect(prefix + "encoder.0.weight", 0, width, widthKey);
        file.Expect(prefix + "encoder.0.weight", 1, (long)video.Channels * (video.Height / latent.Height) * (video.Width / latent.Width), ModelMetadata.LatentShape);
        file.Expect(prefix + "encoder.3.weight", 0, latent.Channels, ModelMetadata.LatentShape);
        var autoencoder = ModelFile.Build(metadata, () => new VideoAutoencoder(video, latent, width));
        ModuleTensors.Load(autoencoder, tensors.Tensors, file.Path, prefix);
        autoencoder.to(device);
        autoencoder.eval();
        return autoencoder;
    }

    internal static LatentShape Latent(ModelMetadata metadata)
    {
        var shape = metadata.Shape(ModelMetadata.LatentShape, 4);
        return new LatentShape(shape[0], shape[1], shape[2], shape[3]);
    }
}

using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// A <see cref="VideoAutoencoder"/> as bytes: a JSON header (video shape, latent shape, width), then its TorchSharp
/// state. A file of its own (the autoencoder stage's artifact) or a part of another (a latent reward's file).
/// </summary>
public static class AutoencoderCheckpoint
{
    /// <summary>Writes the autoencoder to one file, atomically (<see cref="DurableFile"/>).</summary>
    public static void Save(VideoAutoencoder autoencoder, string path) => DurableFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        Write(autoencoder, writer);
    }, "autoencoder");

    public static VideoAutoencoder Load(string path, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        return Read(reader, device);
    }

    public static void Write(VideoAutoencoder autoencoder, BinaryWriter writer)
    {
        var latent = autoencoder.LatentShape;
        writer.Write(JsonSerializer.Serialize(new Header(autoencoder.VideoShape.ToArray(), [latent.Channels, latent.Frames, latent.Height, latent.Width], autoencoder.Width)));
        autoencoder.save(writer);
    }

    public static VideoAutoencoder Read(BinaryReader reader, Device device)
    {
        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException("empty autoencoder header");
        var model = new VideoAutoencoder(
            new VideoShape(header.Video[0], header.Video[1], header.Video[2], header.Video[3]),
            new LatentShape(header.Latent[0], header.Latent[1], header.Latent[2], header.Latent[3]),
            header.Width);
        model.load(reader);
        model.to(device);
        model.eval();
        return model;
    }

    private sealed record Header(int[] Video, int[] Latent, int Width);
}

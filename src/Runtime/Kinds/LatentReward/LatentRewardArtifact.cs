using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>
/// The stage cache's form of a latent reward model: <c>latent_reward.ckpt</c>, one file holding the reward's JSON
/// header (dimensions, noisy, width, latent normalisation), its autoencoder (<see cref="AutoencoderCheckpoint"/>) and
/// its network's TorchSharp state. Flow-NRG's artifact holds one too.
/// </summary>
public static class LatentRewardArtifact
{
    public const string FileName = "latent_reward.ckpt";

    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<LatentRewardModel>(
        "latent_reward",
        (model, folder) => Save(model, Path.Combine(folder, FileName)),
        (folder, device) => Load(Path.Combine(folder, FileName), device));

    public static void Save(LatentRewardModel model, string path) => DurableFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(JsonSerializer.Serialize(new Header(model.Dimensions.ToArray(), model.Noisy, ((LatentRewardNetwork)model.Network).Width, model.Mean, model.Deviation)));
        AutoencoderCheckpoint.Write(model.Autoencoder, writer);
        model.Network.save(writer);
    }, "latent reward");

    public static LatentRewardModel Load(string path, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException("empty latent reward header");
        var autoencoder = AutoencoderCheckpoint.Read(reader, device);
        var network = new LatentRewardNetwork(autoencoder.LatentShape, header.Width, header.Dimensions);
        network.load(reader);
        network.to(device);
        network.eval();
        return new LatentRewardModel(network, autoencoder, header.Dimensions, header.Noisy, header.Mean, header.Deviation);
    }

    private sealed record Header(string[] Dimensions, bool Noisy, int Width, float[] Mean, float[] Deviation);
}

using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// Saves and loads a <see cref="FlowGeneratorModel"/> as one file: a format tag, a JSON header (network kind, shapes,
/// widths, latent statistics, sampler settings), the velocity network's TorchSharp state and, for a latent
/// generator, the autoencoder's. It is written atomically (<see cref="DurableFile"/>), so a crash never leaves a
/// half-written checkpoint.
/// </summary>
public static class GeneratorCheckpoint
{
    private const string Format = "pipeline-flow-generator/1";

    public static void Save(FlowGeneratorModel generator, string path)
    {
        DurableFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var autoencoder = generator.Space.Autoencoder;
            var header = new Header(
                generator.Network is VelocityConvNet ? "conv" : "mlp",
                generator.Shape.ToArray(),
                generator.Network is VelocityConvNet conv ? conv.Width : WidthOf(generator.Network),
                autoencoder is null ? null : new[] { autoencoder.LatentShape.Channels, autoencoder.LatentShape.Frames, autoencoder.LatentShape.Height, autoencoder.LatentShape.Width },
                autoencoder?.Width ?? 0,
                generator.Space.Mean,
                generator.Space.Deviation,
                generator.SamplingSteps,
                generator.CfgScale);
            writer.Write(Format);
            writer.Write(JsonSerializer.Serialize(header));
            generator.Network.save(writer);
            autoencoder?.save(writer);
        }, "generator checkpoint");
    }

    public static FlowGeneratorModel Load(string path, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var format = reader.ReadString();
        if (format != Format)
        {
            throw RuntimeErrors.InvalidOption(null, $"'{path}' is not a flow generator checkpoint ({format})");
        }

        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException("empty checkpoint header");
        var shape = new VideoShape(header.Shape[0], header.Shape[1], header.Shape[2], header.Shape[3]);
        nn.Module<Tensor, Tensor, Tensor, Tensor> network;
        LatentSpace space;
        if (header.Latent is { } l)
        {
            var latent = new LatentShape(l[0], l[1], l[2], l[3]);
            network = new VelocityConvNet(latent, header.Width);
            network.load(reader);
            var autoencoder = new VideoAutoencoder(shape, latent, header.AutoencoderWidth);
            autoencoder.load(reader);
            autoencoder.to(device);
            autoencoder.eval();
            space = LatentSpace.Restore(autoencoder, header.Mean, header.Deviation);
        }
        else
        {
            network = new VelocityMlp(shape.Length, header.Width);
            network.load(reader);
            space = LatentSpace.Pixels(shape);
        }

        network.to(device);
        network.eval();
        return new FlowGeneratorModel(network, shape, space, header.SamplingSteps, header.CfgScale, device);
    }

    private static int WidthOf(nn.Module network) =>
        (int)network.named_parameters().First(p => p.name == "hidden.weight").parameter.shape[0];

    private sealed record Header(string Network, int[] Shape, int Width, int[]? Latent, int AutoencoderWidth, float[] Mean, float[] Deviation, int SamplingSteps, double CfgScale);
}

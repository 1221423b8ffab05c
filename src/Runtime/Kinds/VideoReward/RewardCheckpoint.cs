using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models.Reward;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>
/// Saves and loads a <see cref="VideoRewardModel"/> as one file: a format tag, a JSON header beside the weights
/// (dimensions, token mode, tie handling — the loss and θ —, width, vocabulary, video shape, tokenizer and the
/// normalisation statistics), then the network's TorchSharp state. It is written atomically (<see cref="DurableFile"/>),
/// so a crash never leaves a half-written checkpoint.
/// </summary>
public static class RewardCheckpoint
{
    public const string Format = "pipeline-video-reward/1";
    public const string Tokenizer = "gpt2+1";

    public static void Save(VideoRewardModel model, string path)
    {
        DurableFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var header = new Header(
                model.Dimensions.ToArray(),
                model.Tokens == RewardTokenMode.Separate ? "separate" : "shared",
                model.Loss.ToString(),
                model.Loss.Kind == RewardLossKind.BradleyTerryWithTies ? "rao-kupper" : model.Loss.Kind == RewardLossKind.BradleyTerry ? "masked" : "none",
                double.IsNaN(model.Loss.Theta) ? null : model.Loss.Theta,
                model.Network.Width,
                model.Network.Vocabulary,
                Tokenizer,
                model.Shape.ToArray(),
                model.Normalization?.Mean,
                model.Normalization?.StandardDeviation);
            writer.Write(Format);
            writer.Write(JsonSerializer.Serialize(header));
            model.Network.save(writer);
        }, "reward checkpoint");
    }

    /// <summary>The header of a checkpoint, without loading the weights.</summary>
    public static Header ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        return ReadHeader(reader, path);
    }

    public static VideoRewardModel Load(string path, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var header = ReadHeader(reader, path);
        var mode = header.Tokens == "shared" ? RewardTokenMode.Shared : RewardTokenMode.Separate;
        var network = new VideoRewardNetwork(header.Dimensions, mode, header.Vocabulary, header.Width);
        network.load(reader);
        network.to(device);
        network.eval();
        var loss = header.Loss switch
        {
            "bt" => RewardLoss.Bt,
            "regression" => RewardLoss.Regression,
            _ => RewardLoss.Btt(header.Theta ?? throw new InvalidDataException($"'{path}': a btt checkpoint without theta")),
        };
        var shape = new VideoShape(header.Shape[0], header.Shape[1], header.Shape[2], header.Shape[3]);
        var normalization = header.Mean is null || header.StandardDeviation is null ? null : new RewardNormalization(header.Mean, header.StandardDeviation);
        return new VideoRewardModel(network, shape, loss, device, normalization);
    }

    private static Header ReadHeader(BinaryReader reader, string path)
    {
        string format;
        try
        {
            format = reader.ReadString();
        }
        catch (EndOfStreamException)
        {
            format = string.Empty;
        }

        if (format != Format)
        {
            throw RuntimeErrors.InvalidOption(null, $"'{path}' is not a video reward checkpoint");
        }

        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException($"'{path}': empty checkpoint header");
        if (header.Tokenizer != Tokenizer)
        {
            throw RuntimeErrors.InvalidOption(null, $"'{path}' was written with tokenizer '{header.Tokenizer}'; this runtime uses '{Tokenizer}'");
        }

        return header;
    }

    /// <summary>
    /// What is stored beside the weights: the dimensions, the token mode (separate or shared), the loss as written in
    /// experiment files, the tie handling (masked for BT, rao-kupper for BTT, none for regression) and θ, the width,
    /// the vocabulary size and tokenizer, the video shape (C, T, H, W) and the normalisation statistics.
    /// </summary>
    public sealed record Header(
        string[] Dimensions,
        string Tokens,
        string Loss,
        string Ties,
        double? Theta,
        int Width,
        int Vocabulary,
        string Tokenizer,
        int[] Shape,
        double[]? Mean,
        double[]? StandardDeviation);
}

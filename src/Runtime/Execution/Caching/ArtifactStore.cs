using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.FlowNrg;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds.WinRates;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Execution.Caching;

/// <summary>
/// Writes stage artifacts into a cache entry's <c>artifact/</c> folder and reads them back. Stored: everything that
/// costs training or sampling — flow generators (pretrained and aligned: <c>flow_generator</c>, <c>flow_sft</c>,
/// <c>flow_rwr</c>, <c>flow_dpo</c>, each with its autoencoder), autoencoders, reward models and win-rate reports
/// (rates, mean z-scores and the sample videos of the report's GIFs), latent reward models and Flow-NRG guided
/// generators (generator, latent reward and guidance settings). Not stored, by design (see
/// <see cref="RebuildReason"/>): the synthetic world, which is rebuilt from the seed in milliseconds, and whose
/// oracle, prompt sets and generators are code plus that seed — storing it would only copy what the seed already
/// determines; and preference pairs, drawn from that world (or read from a pair file) in well under a second. Any
/// other artifact type is recomputed each run, and the run says so.
/// </summary>
public static class ArtifactStore
{
    private const string TypeFile = "type";

    /// <summary>The kinds whose artifacts are stored: a missing entry of one of them means the stage has not run.</summary>
    public static bool IsStored(string kind) => kind is "autoencoder" or "flow_generator" or "flow_sft" or "flow_rwr" or "flow_dpo" or "flow_nrg" or "classifier_free" or "video_reward" or "win_rates";

    /// <summary>Why a kind is rebuilt rather than stored, or null when its artifact is stored (or the kind is not known).</summary>
    public static string? RebuildReason(string kind) => kind switch
    {
        "synthetic_videos" => "the synthetic world is rebuilt from the seed in milliseconds, so it is recomputed rather than stored",
        "preference_pairs" => "preference pairs are drawn from the world or read from their file in well under a second, so they are recomputed rather than stored",
        _ => null,
    };

    /// <summary>Whether <see cref="Save"/> can write this artifact.</summary>
    public static bool CanStore(object artifact) => TypeOf(artifact) is not null;

    public static void Save(object artifact, string folder)
    {
        var type = TypeOf(artifact) ?? throw new ArgumentException($"a {artifact.GetType().Name} cannot be stored in the cache", nameof(artifact));
        switch (artifact)
        {
            case FlowGeneratorModel generator:
                GeneratorCheckpoint.Save(generator, Path.Combine(folder, "generator.ckpt"));
                break;
            case VideoRewardModel reward:
                RewardCheckpoint.Save(reward, Path.Combine(folder, "reward.ckpt"));
                break;
            case VideoAutoencoder autoencoder:
                SaveAutoencoder(autoencoder, Path.Combine(folder, "autoencoder.ckpt"));
                break;
            case LatentRewardModel latent:
                SaveLatentReward(latent, Path.Combine(folder, "latent_reward.ckpt"));
                break;
            case GuidedFlowGenerator guided:
                GeneratorCheckpoint.Save(guided.Generator, Path.Combine(folder, "generator.ckpt"));
                SaveLatentReward(guided.Reward, Path.Combine(folder, "latent_reward.ckpt"));
                DurableFile.WriteAllText(Path.Combine(folder, "guidance.json"), JsonSerializer.Serialize(new GuidanceHeader(guided.Weights.ToDictionary(w => w.Key, w => w.Value), guided.Strength, guided.CoefficientCap)));
                break;
            case WinRatesReport report:
                DurableFile.WriteAllText(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(StoredReport.From(report)));
                break;
        }

        DurableFile.WriteAllText(Path.Combine(folder, TypeFile), type);
    }

    public static object Load(string folder, Device device)
    {
        var type = File.ReadAllText(Path.Combine(folder, TypeFile)).Trim();
        return type switch
        {
            "flow_generator" => GeneratorCheckpoint.Load(Path.Combine(folder, "generator.ckpt"), device),
            "video_reward" => RewardCheckpoint.Load(Path.Combine(folder, "reward.ckpt"), device),
            "autoencoder" => LoadAutoencoder(Path.Combine(folder, "autoencoder.ckpt"), device),
            "latent_reward" => LoadLatentReward(Path.Combine(folder, "latent_reward.ckpt"), device),
            "flow_nrg" => LoadGuided(folder, device),
            "win_rates_report" => (JsonSerializer.Deserialize<StoredReport>(File.ReadAllText(Path.Combine(folder, "report.json")))
                ?? throw new InvalidDataException("empty report.json")).ToReport(),
            _ => throw new InvalidDataException($"unknown artifact type '{type}' in the cache entry"),
        };
    }

    private static string? TypeOf(object artifact) => artifact switch
    {
        FlowGeneratorModel => "flow_generator",
        VideoRewardModel => "video_reward",
        VideoAutoencoder => "autoencoder",
        LatentRewardModel => "latent_reward",
        GuidedFlowGenerator => "flow_nrg",
        WinRatesReport => "win_rates_report",
        _ => null,
    };

    private static void SaveAutoencoder(VideoAutoencoder autoencoder, string path) => DurableFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        WriteAutoencoder(autoencoder, writer);
    }, "autoencoder");

    private static void WriteAutoencoder(VideoAutoencoder autoencoder, BinaryWriter writer)
    {
        var latent = autoencoder.LatentShape;
        writer.Write(JsonSerializer.Serialize(new AutoencoderHeader(autoencoder.VideoShape.ToArray(), [latent.Channels, latent.Frames, latent.Height, latent.Width], autoencoder.Width)));
        autoencoder.save(writer);
    }

    private static VideoAutoencoder LoadAutoencoder(string path, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        return ReadAutoencoder(reader, device);
    }

    private static VideoAutoencoder ReadAutoencoder(BinaryReader reader, Device device)
    {
        var header = JsonSerializer.Deserialize<AutoencoderHeader>(reader.ReadString()) ?? throw new InvalidDataException("empty autoencoder header");
        var model = new VideoAutoencoder(
            new VideoShape(header.Video[0], header.Video[1], header.Video[2], header.Video[3]),
            new LatentShape(header.Latent[0], header.Latent[1], header.Latent[2], header.Latent[3]),
            header.Width);
        model.load(reader);
        model.to(device);
        model.eval();
        return model;
    }

    private sealed record AutoencoderHeader(int[] Video, int[] Latent, int Width);

    /// <summary>One file: the reward's JSON header, its autoencoder (as <see cref="SaveAutoencoder"/> writes it), its network.</summary>
    private static void SaveLatentReward(LatentRewardModel model, string path) => DurableFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(JsonSerializer.Serialize(new LatentRewardHeader(model.Dimensions.ToArray(), model.Noisy, ((LatentRewardNetwork)model.Network).Width, model.Mean, model.Deviation)));
        WriteAutoencoder(model.Autoencoder, writer);
        model.Network.save(writer);
    }, "latent reward");

    private static LatentRewardModel LoadLatentReward(string path, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var header = JsonSerializer.Deserialize<LatentRewardHeader>(reader.ReadString()) ?? throw new InvalidDataException("empty latent reward header");
        var autoencoder = ReadAutoencoder(reader, device);
        var network = new LatentRewardNetwork(autoencoder.LatentShape, header.Width, header.Dimensions);
        network.load(reader);
        network.to(device);
        network.eval();
        return new LatentRewardModel(network, autoencoder, header.Dimensions, header.Noisy, header.Mean, header.Deviation);
    }

    private static GuidedFlowGenerator LoadGuided(string folder, Device device)
    {
        var generator = GeneratorCheckpoint.Load(Path.Combine(folder, "generator.ckpt"), device);
        var reward = LoadLatentReward(Path.Combine(folder, "latent_reward.ckpt"), device);
        var guidance = JsonSerializer.Deserialize<GuidanceHeader>(File.ReadAllText(Path.Combine(folder, "guidance.json"))) ?? throw new InvalidDataException("empty guidance.json");
        return new GuidedFlowGenerator(generator, reward, guidance.Weights, guidance.Strength, guidance.CoefficientCap);
    }

    private sealed record LatentRewardHeader(string[] Dimensions, bool Noisy, int Width, float[] Mean, float[] Deviation);

    private sealed record GuidanceHeader(Dictionary<string, double> Weights, double Strength, double CoefficientCap);

    private sealed record StoredVideo(string Prompt, int[] Shape, float[] Data);

    private sealed record StoredReport(
        string Baseline,
        string[] Methods,
        int N,
        JudgedWinRate[] Rates,
        Dictionary<string, Dictionary<string, Dictionary<string, double>>> MeanScores,
        Dictionary<string, StoredVideo[]> Samples)
    {
        public static StoredReport From(WinRatesReport report) => new(
            report.Baseline,
            report.Methods.ToArray(),
            report.N,
            report.Rates.ToArray(),
            report.MeanScores.ToDictionary(j => j.Key, j => j.Value.ToDictionary(g => g.Key, g => g.Value.ToDictionary(d => d.Key, d => d.Value))),
            report.Samples.ToDictionary(g => g.Key, g => g.Value.Select(v => new StoredVideo(v.Prompt, v.Video.Shape.ToArray(), v.Video.Data)).ToArray()));

        public WinRatesReport ToReport() => new(
            Baseline,
            Methods,
            N,
            Rates,
            MeanScores.ToDictionary(
                j => j.Key,
                j => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>)j.Value.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, double>)g.Value, StringComparer.Ordinal),
                StringComparer.Ordinal),
            Samples.ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<PromptedVideo>)g.Value.Select(v => new PromptedVideo(v.Prompt, new Video(new VideoShape(v.Shape[0], v.Shape[1], v.Shape[2], v.Shape[3]), v.Data))).ToArray(),
                StringComparer.Ordinal));
    }
}

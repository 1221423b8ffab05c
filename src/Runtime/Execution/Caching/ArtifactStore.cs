using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.Autoencoder;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Kinds.FlowNrg;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds.WinRates;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Execution.Caching;

/// <summary>
/// Writes stage artifacts into a cache entry's <c>artifact/</c> folder and reads them back, in the form each kind
/// declares beside its artifact (<see cref="ArtifactFormat"/>), with the format's name in the entry's <c>type</c> file.
/// Every trained model is a model file (safetensors) with the provenance of the stage that made it; a run exports
/// those that are one model (<c>ModelExport</c>).
/// Stored: everything that costs training or sampling — flow generators (pretrained and aligned: <c>flow_generator</c>,
/// <c>flow_sft</c>, <c>flow_rwr</c>, <c>flow_dpo</c>, each with its autoencoder), autoencoders, reward models and
/// win-rate reports (rates, mean z-scores and the sample videos of the report's GIFs), latent reward models and
/// Flow-NRG guided generators (generator, latent reward and guidance settings). Not stored, by design (see
/// <see cref="RebuildReason"/>): the synthetic world, which is rebuilt from the seed in milliseconds, and whose
/// oracle, prompt sets and generators are code plus that seed — storing it would only copy what the seed already
/// determines; and preference pairs, drawn from that world in well under a second, or read from a pair file whose
/// videos come from the decoded-video store (<c>Data/Store/VideoStore</c>: decoded once, reopened in milliseconds). Any
/// other artifact type is recomputed each run, and the run says so.
/// </summary>
public static class ArtifactStore
{
    private const string TypeFile = "type";

    /// <summary>The stored forms, one per artifact type.</summary>
    private static readonly ArtifactFormat[] Formats =
    [
        FlowGeneratorArtifact.Format,
        VideoRewardArtifact.Format,
        AutoencoderArtifact.Format,
        LatentRewardArtifact.Format,
        FlowNrgArtifact.Format,
        WinRatesArtifact.Format,
    ];

    /// <summary>The kinds whose artifacts are stored: a missing entry of one of them means the stage has not run.</summary>
    public static bool IsStored(string kind) => kind is "autoencoder" or "flow_generator" or "flow_sft" or "flow_rwr" or "flow_dpo" or "flow_nrg" or "classifier_free" or "video_reward" or "latent_reward" or "win_rates";

    /// <summary>Why a kind is rebuilt rather than stored, or null when its artifact is stored (or the kind is not known).</summary>
    public static string? RebuildReason(string kind) => kind switch
    {
        "synthetic_videos" => "the synthetic world is rebuilt from the seed in milliseconds, so it is recomputed rather than stored",
        "preference_pairs" => "preference pairs are drawn from the world, or read from their file with its videos from the decoded-video store, in well under a second, so they are recomputed rather than stored",
        _ => null,
    };

    /// <summary>Whether <see cref="Save"/> can write this artifact.</summary>
    public static bool CanStore(object artifact) => FormatOf(artifact) is not null;

    /// <summary>Whether the artifact is stored as one model file (<see cref="ArtifactFormat.ModelFileName"/>), which a run exports.</summary>
    public static bool IsModelFile(object artifact) => FormatOf(artifact)?.IsModelFile == true;

    /// <summary>Writes the model file of an artifact that is one model (<see cref="IsModelFile"/>) to <paramref name="path"/>.</summary>
    public static void SaveModelFile(object artifact, string path, ModelProvenance provenance)
    {
        var save = FormatOf(artifact)?.SaveModelFile ?? throw new ArgumentException($"a {artifact.GetType().Name} is not one model file", nameof(artifact));
        save(artifact, path, provenance);
    }

    /// <summary>Writes <paramref name="artifact"/> into <paramref name="folder"/>; its model files record <paramref name="provenance"/>.</summary>
    public static void Save(object artifact, string folder, ModelProvenance provenance)
    {
        var format = FormatOf(artifact) ?? throw new ArgumentException($"a {artifact.GetType().Name} cannot be stored in the cache", nameof(artifact));
        format.Save(artifact, folder, provenance);
        DurableFile.WriteAllText(Path.Combine(folder, TypeFile), format.Type);
    }

    public static object Load(string folder, Device device)
    {
        var type = File.ReadAllText(Path.Combine(folder, TypeFile)).Trim();
        var format = Formats.FirstOrDefault(f => f.Type == type) ?? throw new InvalidDataException($"unknown artifact type '{type}' in the cache entry");
        return format.Load(folder, device);
    }

    private static ArtifactFormat? FormatOf(object artifact) => Formats.FirstOrDefault(f => f.Artifact.IsInstanceOfType(artifact));
}

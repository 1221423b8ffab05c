using System.Diagnostics;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Execution;

/// <summary>
/// What a run exported: its models folder, each file, their bytes in all, how many are links to the stage cache's
/// files, and the seconds the export took (the cost docs/contracts.md reports; never in results.json).
/// </summary>
public sealed record ExportedModels(string Folder, IReadOnlyList<string> Files, long Bytes, int Linked, double Seconds);

/// <summary>
/// Writes a run's trained models into <c>--out/models/&lt;stage&gt;.safetensors</c> (docs/contracts.md, "Model
/// files"): one file for each stage whose artifact is one model (autoencoder, flow generators — pretrained, aligned and
/// <c>classifier_free</c>'s —, VideoReward-mini, latent rewards). A <c>flow_nrg</c> stage trains nothing: its generator
/// and its latent reward are its inputs', exported under their own stages' names. Each file is the stage cache's own:
/// a hard link to it when this run's source trained it (no byte copied; a copy where links fail), else the same tensors
/// and metadata with the export keys added (<see cref="ModelProvenance.ExportedBy"/>), written beside. The folder is
/// the run's: it is written whole and then put in place of the one an earlier run into the same <c>--out</c> left.
/// </summary>
public static class ModelExport
{
    public const string FolderName = "models";

    /// <summary>Exports the models of <paramref name="outputs"/>; null when none of them is a model (and then no folder is left).</summary>
    public static ExportedModels? Write(RunContext run, IReadOnlyDictionary<string, StageOutput> outputs)
    {
        var clock = Stopwatch.StartNew();
        var folder = Path.Combine(run.OutputDirectory, FolderName);
        var staging = $"{folder}.{Guid.NewGuid():N}.tmp";
        var files = new List<string>();
        long bytes = 0;
        var linked = 0;
        try
        {
            foreach (var (name, output) in outputs.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                if (!ArtifactStore.IsModelFile(output.Artifact) || run.Info.FindStage(name) is not { } stage)
                {
                    continue;
                }

                var file = name + ModelFile.Extension;
                var target = Path.Combine(staging, file);
                var cached = run.Cache is { } cache ? Path.Combine(cache.EntryFolder(stage.Hash), StageCache.ArtifactFolder, ArtifactFormat.ModelFileName) : null;
                if (cached is not null && File.Exists(cached))
                {
                    linked += Export(run, stage, cached, target) ? 1 : 0;
                }
                else if (!output.Cached)
                {
                    ArtifactStore.SaveModelFile(output.Artifact, target, run.Provenance(stage));
                }
                else
                {
                    // Loaded from the cache, whose entry went since (another process collected it): its provenance went too.
                    run.Log($"stage {name}: not exported (its cache entry was removed during the run)");
                    continue;
                }

                files.Add(Path.Combine(folder, file));
                bytes += new FileInfo(target).Length;
            }

            Replace(folder, files.Count == 0 ? null : staging);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return files.Count == 0 ? null : new ExportedModels(folder, files, bytes, linked, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The cache's file of a stage as this run exports it; true when it is linked, not rewritten.</summary>
    private static bool Export(RunContext run, StageInfo stage, string cached, string target)
    {
        var metadata = ModelFile.ReadMetadata(cached);
        var trained = metadata.Provenance;
        if (trained is not null && trained.Experiment == run.Info.Name && trained.SourceSha256 == run.Info.SourceSha256)
        {
            return DurableFile.LinkOrCopy(cached, target, "model file");
        }

        // Trained by another source (the stage was reused from the cache): that source stays the training one.
        metadata.Provenance = (trained ?? run.Provenance(stage)).ExportedBy(run.Info.Name, run.Info.SourceSha256);
        SafetensorsFile.Rewrite(cached, target, metadata.Values);
        return false;
    }

    /// <summary>Puts <paramref name="staging"/> (or nothing) where <paramref name="folder"/> is.</summary>
    private static void Replace(string folder, string? staging)
    {
        var previous = Directory.Exists(folder) ? $"{folder}.{Guid.NewGuid():N}.old" : null;
        try
        {
            if (previous is not null)
            {
                Directory.Move(folder, previous);
            }

            if (staging is not null)
            {
                Directory.Move(staging, folder);
            }

            if (previous is not null)
            {
                Directory.Delete(previous, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw DurableFile.Failure(folder, error, "models folder");
        }
    }
}

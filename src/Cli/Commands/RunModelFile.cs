using System.Globalization;
using System.Text.Json;
using Pipeline.Cli.Registry;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Cli.Commands;

/// <summary>
/// The model file a command names: a <c>.safetensors</c> file, or a run — its id in the registry or its <c>--out</c>
/// folder — whose exported model (<c>models/&lt;stage&gt;.safetensors</c>) of the given kind is used, the one it has or
/// the stage <c>--stage</c> names. A run's file must still be that run's: its stage hash is the run's (results.json's,
/// or the registry's), else a later run wrote over it.
/// </summary>
internal static class RunModelFile
{
    public static string Resolve(string model, string? stage, string kind)
    {
        if (string.IsNullOrWhiteSpace(model) || model.Contains('\0', StringComparison.Ordinal))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelFileNotFound, $"'{model}' names no model; name a .safetensors model file, a run's --out folder, or a run id (pipeline runs lists them).");
        }

        if (model.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase) || File.Exists(model))
        {
            return stage is null ? model : throw new UsageException($"--stage picks a stage of a run; '{model}' is a model file, which holds one model.");
        }

        var (run, folder, stages) = Run(model);
        var candidates = stages.Where(s => s.Kind == kind).Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        if (stage is null)
        {
            stage = candidates.Length switch
            {
                1 => candidates[0],
                0 => throw new PipelineException(RuntimeDiagnosticCodes.RunModelMissing, $"{run} has no {kind} stage, so no model to use; name a run that trains one, or a .safetensors file."),
                _ => throw new PipelineException(RuntimeDiagnosticCodes.RunModelAmbiguous, $"{run} has {candidates.Length} {kind} stages ({string.Join(", ", candidates)}); pick one with --stage NAME."),
            };
        }
        else if (!candidates.Contains(stage, StringComparer.Ordinal))
        {
            var what = stages.FirstOrDefault(s => s.Name == stage) is { } other ? $"stage '{stage}' is a {other.Kind}, not a {kind}" : $"there is no stage '{stage}'";
            throw new PipelineException(RuntimeDiagnosticCodes.RunModelMissing, $"{run}: {what}; its {kind} stages are {(candidates.Length == 0 ? "none" : string.Join(", ", candidates))}.");
        }

        var path = Path.Combine(folder, ModelExport.FolderName, stage + ModelFile.Extension);
        if (!File.Exists(path))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.RunModelMissing, $"{run}: {path} does not exist (a run exports its models when it finishes; run the experiment again).");
        }

        var hash = stages.First(s => s.Name == stage).Hash;
        var written = ModelFile.ReadMetadata(path).Provenance?.StageHash;
        if (written != hash)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.RunModelReplaced, $"{run}: {path} holds {(written is null ? "a model of no recorded stage" : $"the model of stage hash {written}")}, not stage {stage}'s ({hash}): a later run wrote into the same folder; score that file itself, or run the experiment again.");
        }

        return path;
    }

    /// <summary>How messages name the run, its folder, and its stages (name, kind, hash).</summary>
    private static (string Run, string Folder, IReadOnlyList<(string Name, string Kind, string Hash)> Stages) Run(string model)
    {
        if (Directory.Exists(model))
        {
            return ($"run folder {model}", model, StagesOf(model));
        }

        if (long.TryParse(model, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            using var registry = RunRegistry.OpenDefault();
            var record = registry.Find(id) ?? throw CompareCommand.UnknownRun(id, registry);
            return ($"run {id}", record.OutputDirectory, record.Stages.Select(s => (s.Name, s.Kind, s.Hash)).ToArray());
        }

        throw new PipelineException(RuntimeDiagnosticCodes.ModelFileNotFound, $"'{model}' is no file, no folder and no run id; name a .safetensors model file, a run's --out folder, or a run id (pipeline runs lists them).");
    }

    /// <summary>The stages a run folder's results.json lists.</summary>
    private static IReadOnlyList<(string Name, string Kind, string Hash)> StagesOf(string folder)
    {
        var results = Path.Combine(folder, "results.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(results));
            return document.RootElement.GetProperty("stages").EnumerateObject()
                .Select(s => (s.Name, s.Value.GetProperty("kind").GetString()!, s.Value.GetProperty("hash").GetString()!))
                .ToArray();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.RunModelMissing, $"{folder} is not a run's folder: its results.json {(File.Exists(results) ? "is unreadable" : "is missing")}; name a run's --out folder, a run id, or a .safetensors file.");
        }
    }
}

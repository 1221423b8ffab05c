using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Safetensors;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// The weights a trained stage starts from (<c>init = file("...")</c>, docs/language.md "Given weights"): a model file
/// as a run exports it, or a PyTorch state dict saved with <c>torch.save(model.state_dict())</c> of the network's mirror
/// in <c>python/pipeline_models.py</c>. Either way the tensor names are the model file's (<c>velocity.*</c> and
/// <c>autoencoder.*</c> for a generator, <c>reward.*</c> and <c>autoencoder.*</c> for a latent reward, the network's own
/// for an autoencoder and VideoReward-mini). Everything is checked before the first training step: the metadata
/// against the stage (<see cref="RequireAgreement"/>), then every tensor of the stage's freshly built network by name,
/// shape and dtype (<see cref="LoadInto"/>); each mismatch is one error naming the stage, the file and the tensor.
/// </summary>
public sealed class GivenWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private GivenWeights(string stage, string path, Dictionary<string, Tensor> tensors, ModelMetadata? metadata)
    {
        Stage = stage;
        Path = path;
        this.tensors = tensors;
        Metadata = metadata;
    }

    public string Stage { get; }

    /// <summary>The file's absolute path.</summary>
    public string Path { get; }

    /// <summary>The file's Pipeline metadata; null for a PyTorch state dict or a safetensors file written without it.</summary>
    public ModelMetadata? Metadata { get; }

    /// <summary>
    /// The weights of <paramref name="init"/> (the stage's <c>init</c> option), or null when the stage has none. A
    /// model file's metadata must name <paramref name="kind"/>: weights of another kind never load.
    /// </summary>
    public static GivenWeights? Open(StageContext context, string stage, string kind, WeightsFile? init)
    {
        if (init is null)
        {
            return null;
        }

        var path = context.ResolvePath(init.Path);
        if (!File.Exists(path))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.GivenWeightsUnreadable, $"stage {stage}: the weights file {path} (init) does not exist; it was there when the experiment was compiled, so compile it again.") { Stage = stage };
        }

        if (path.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
        {
            var file = SafetensorsFile.Open(path);
            var metadata = file.Metadata.ContainsKey(ModelMetadata.Format) ? new ModelMetadata(path, file.Metadata) : null;
            if (metadata?.Optional(ModelMetadata.Model) is { } model && model != kind)
            {
                throw new PipelineException(RuntimeDiagnosticCodes.GivenWeightsDisagree, $"stage {stage}: {path} holds a model of kind {model} (pipeline.model), not {kind}; give it a {kind} model file.") { Stage = stage };
            }

            return new GivenWeights(stage, path, file.ReadTensors(), metadata);
        }

        return new GivenWeights(stage, path, ReadStateDict(stage, path), null);
    }

    /// <summary>
    /// Fails when the file's metadata (when it has any) gives <paramref name="key"/> another value than the stage's
    /// <paramref name="expected"/> (JSON values compare as JSON: <c>["VQ", "MQ"]</c> is <c>["VQ","MQ"]</c>): weights
    /// trained for other dimensions, or on clean latents for a noise-aware stage. <paramref name="fix"/> says what to change.
    /// </summary>
    public void RequireAgreement(string key, string expected, string what, string fix)
    {
        if (Metadata?.Optional(key) is { } found && !Same(found, expected))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.GivenWeightsDisagree, $"stage {Stage}: {Path} was trained {what} {found} ({key}); the stage needs {expected}; {fix}.") { Stage = Stage };
        }
    }

    private static bool Same(string found, string expected)
    {
        if (found == expected)
        {
            return true;
        }

        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(found), JsonNode.Parse(expected));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Copies the tensors named <paramref name="prefix"/> + (state name) into <paramref name="module"/>'s parameters and
    /// buffers. Every state entry must be there with the network's shape and dtype, and no other tensor may be under
    /// the prefix (PyTorch's <c>strict=True</c>); nor anywhere outside <paramref name="parts"/>, the prefixes of the
    /// kind's model file.
    /// </summary>
    public void LoadInto(nn.Module module, string prefix, params string[] parts)
    {
        var expected = ModuleTensors.Collect(module, prefix);
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(name, out var source))
            {
                throw Mismatch($"tensor '{name}' is missing (expected shape {Format(target.shape)}, {SafetensorsFile.DTypeName(target.dtype)})");
            }

            if (!source.shape.SequenceEqual(target.shape) || source.dtype != target.dtype)
            {
                throw Mismatch($"tensor '{name}' has shape {Format(source.shape)}, {SafetensorsFile.DTypeName(source.dtype)}; the stage's network expects {Format(target.shape)}, {SafetensorsFile.DTypeName(target.dtype)}");
            }
        }

        var known = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = tensors.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) ? !known.Contains(k) : !parts.Any(p => k.StartsWith(p, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToArray();
        if (unexpected.Length > 0)
        {
            throw Mismatch($"tensor '{unexpected[0]}' is unexpected: the stage's network has no such tensor{(unexpected.Length > 1 ? $" (and {unexpected.Length - 1} more)" : string.Empty)}");
        }

        using var noGrad = no_grad();
        foreach (var (name, target) in expected)
        {
            target.copy_(tensors[name]);
        }
    }

    /// <summary>True when the file holds a tensor under <paramref name="prefix"/>.</summary>
    public bool Has(string prefix) => tensors.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>
    /// True when the file's tensors under <paramref name="prefix"/> are <paramref name="module"/>'s state bit for bit
    /// (a generator's autoencoder part against the autoencoder the stage is given); false when one differs or is absent.
    /// </summary>
    public bool Holds(nn.Module module, string prefix) =>
        ModuleTensors.Collect(module, prefix).All(e => tensors.TryGetValue(e.Name, out var source)
            && source.dtype == e.Tensor.dtype && source.shape.SequenceEqual(e.Tensor.shape) && source.cpu().bytes.SequenceEqual(e.Tensor.cpu().bytes));

    public void Dispose()
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }

    /// <summary>A PyTorch state dict (the zip archive <c>torch.save</c> writes), read by TorchSharp.PyBridge.</summary>
    private static Dictionary<string, Tensor> ReadStateDict(string stage, string path)
    {
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // PyBridge reports a file that is no state dict as whatever its unpickler met first (an invalid zip, a
            // missing data.pkl, an unknown opcode): one message for all.
            throw new PipelineException(RuntimeDiagnosticCodes.GivenWeightsUnreadable, $"stage {stage}: {path} is not a PyTorch state dict ({error.Message.TrimEnd('.')}); save one with torch.save(model.state_dict(), path), or give a .safetensors model file.") { Stage = stage };
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor)
            {
                result[name] = tensor;
            }
        }

        return result;
    }

    private PipelineException Mismatch(string what) =>
        new(RuntimeDiagnosticCodes.GivenWeightsMismatch, $"stage {Stage}: {Path}: {what}; give weights of the network this stage builds (its width, shapes and dimensions), or change the stage to match them.") { Stage = Stage };

    private static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
}

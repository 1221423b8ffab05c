using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>
/// A <see cref="LoraAdapter"/> as a model file, in peft's naming: for each adapted layer <c>M</c> of the base network
/// (its PyTorch name, <c>first.0</c>, <c>time_input</c>), <c>M.lora_A.weight</c> [rank, in·k] and
/// <c>M.lora_B.weight</c> [out, rank], so the layer's weight is W₀ + (alpha / rank)·B·A reshaped to W₀'s shape (a
/// convolution's kernel flattened, as <see cref="LoraAdapter"/> holds it; peft stores a convolution's A and B as
/// kernels of that shape instead). Metadata: <see cref="ModelMetadata.Rank"/>, <see cref="ModelMetadata.Alpha"/>,
/// <see cref="ModelMetadata.TargetModules"/> (the adapted layers) and the base network's
/// <see cref="ModelMetadata.Network"/>. The base weights W₀ are not in the file: they are the base generator's.
/// </summary>
public static class LoraAdapterFile
{
    public const string WeightA = ".lora_A.weight";
    public const string WeightB = ".lora_B.weight";

    /// <param name="adapter">The adapter.</param>
    /// <param name="network">The base network's layout, as <see cref="ModelMetadata.Network"/> names it (<c>conv</c> or <c>mlp</c>).</param>
    /// <param name="path">The file to write.</param>
    /// <param name="provenance">Where the adapter comes from, when it comes from a run.</param>
    public static void Save(LoraAdapter adapter, string network, string path, ModelProvenance? provenance = null)
    {
        var metadata = ModelMetadata.For(ModelKinds.LoraAdapter, provenance);
        var modules = adapter.LayerNames.Select(ModuleTensors.PythonName).ToArray();
        metadata[ModelMetadata.Network] = network;
        metadata.Set(ModelMetadata.Rank, adapter.Rank);
        metadata.Set(ModelMetadata.Alpha, adapter.Alpha);
        metadata.SetList(ModelMetadata.TargetModules, modules);
        var parameters = adapter.Parameters;
        var tensors = modules.SelectMany((m, i) => new[] { (m + WeightA, (Tensor)parameters[2 * i]), (m + WeightB, (Tensor)parameters[(2 * i) + 1]) });
        ModelFile.Write(path, metadata, tensors);
    }

    /// <summary>
    /// An adapter of <paramref name="network"/> (the base, holding W₀) with the file's A and B; call
    /// <see cref="LoraAdapter.Apply"/> to write W₀ + s·B·A into the network's layers.
    /// </summary>
    public static LoraAdapter Load(string path, nn.Module network, string networkLayout)
    {
        var file = ModelFile.Open(path, ModelKinds.LoraAdapter);
        var metadata = file.Metadata;
        if (metadata[ModelMetadata.Network] != networkLayout)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelKindMismatch, $"{path}: the adapter is for a '{metadata[ModelMetadata.Network]}' network, not a '{networkLayout}' one.");
        }

        var rank = metadata.Int(ModelMetadata.Rank);
        var alpha = metadata.Double(ModelMetadata.Alpha);
        var modules = metadata.List<string>(ModelMetadata.TargetModules);
        if (modules.Length > 0)
        {
            file.Expect(modules[0] + WeightA, 0, rank, ModelMetadata.Rank);
        }

        var adapter = ModelFile.Build(metadata, () => new LoraAdapter(network, rank, alpha, seed: 0));
        try
        {
            var layers = adapter.LayerNames.Select(ModuleTensors.PythonName).ToArray();
            if (!layers.Order(StringComparer.Ordinal).SequenceEqual(modules.Order(StringComparer.Ordinal)))
            {
                throw metadata.Invalid(ModelMetadata.TargetModules, $"lists [{string.Join(", ", modules)}]; the network's adaptable layers are [{string.Join(", ", layers)}]");
            }

            using var tensors = file.ReadTensors();
            var parameters = adapter.Parameters;
            using (no_grad())
            {
                for (var i = 0; i < layers.Length; i++)
                {
                    Copy(tensors.Tensors, layers[i] + WeightA, parameters[2 * i], path);
                    Copy(tensors.Tensors, layers[i] + WeightB, parameters[(2 * i) + 1], path);
                }
            }

            if (tensors.Tensors.Count != 2 * modules.Length)
            {
                throw new PipelineException(RuntimeDiagnosticCodes.ModelTensorMismatch, $"{path}: the file holds {tensors.Tensors.Count} tensors; an adapter of {modules.Length} layers has {2 * modules.Length}.");
            }

            return adapter;
        }
        catch
        {
            adapter.Dispose();
            throw;
        }
    }

    private static void Copy(IReadOnlyDictionary<string, Tensor> tensors, string name, Tensor target, string path)
    {
        if (!tensors.TryGetValue(name, out var source))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelTensorMismatch, $"{path}: tensor '{name}' is missing.");
        }

        if (source.dtype != target.dtype || !source.shape.SequenceEqual(target.shape))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelTensorMismatch,
                $"{path}: tensor '{name}' is {SafetensorsFile.DTypeName(source.dtype)} [{string.Join(", ", source.shape)}]; the adapter's is {SafetensorsFile.DTypeName(target.dtype)} [{string.Join(", ", target.shape)}].");
        }

        target.copy_(source);
    }
}

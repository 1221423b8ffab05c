using Pipeline.Runtime.Core;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>
/// What every kind's model file shares: a <see cref="SafetensorsFile"/> whose metadata is a <see cref="ModelMetadata"/>
/// and whose tensors are the networks' states under their PyTorch names (<see cref="ModuleTensors"/>). Reading checks
/// the metadata before any tensor is read, and each kind checks its hyperparameters against the header's shapes before
/// it builds a network, so a damaged file never makes the runtime allocate more than the file holds.
/// </summary>
public static class ModelFile
{
    public const string Extension = ".safetensors";

    /// <summary>More dimensions than any reward has (VQ, MQ, TA, Overall): a bound on what a damaged file can make a loader build.</summary>
    private const int MaxDimensions = 64;

    /// <summary>The metadata of a model file (any safetensors file), without reading its tensors.</summary>
    public static ModelMetadata ReadMetadata(string path) => new(path, SafetensorsFile.Open(path).Metadata);

    internal static void Write(string path, ModelMetadata metadata, IEnumerable<(string Name, Tensor Tensor)> tensors) =>
        SafetensorsFile.Write(path, metadata.Values, tensors.ToArray());

    /// <summary>Opens a file that must hold <paramref name="model"/>; its tensors are read by <see cref="Opened.ReadTensors"/>.</summary>
    internal static Opened Open(string path, string model)
    {
        var file = SafetensorsFile.Open(path);
        var metadata = new ModelMetadata(path, file.Metadata);
        metadata.Require(model);
        return new Opened(file, metadata);
    }

    /// <summary>A model file whose header and metadata have been read and checked.</summary>
    internal sealed class Opened(SafetensorsFile file, ModelMetadata metadata)
    {
        public ModelMetadata Metadata { get; } = metadata;

        public string Path => file.Path;

        /// <summary>The header's shape of tensor <paramref name="name"/>; a missing tensor is a mismatch.</summary>
        public long[] Shape(string name) =>
            file.Tensors.FirstOrDefault(t => t.Name == name)?.Shape
            ?? throw new PipelineException(RuntimeDiagnosticCodes.ModelTensorMismatch, $"{Path}: tensor '{name}' is missing.");

        /// <summary>
        /// Fails unless dimension <paramref name="axis"/> of tensor <paramref name="name"/> is <paramref name="expected"/>,
        /// the value metadata key <paramref name="key"/> implies. Checked before a network is built from the metadata.
        /// </summary>
        public void Expect(string name, int axis, long expected, string key)
        {
            var shape = Shape(name);
            if (shape.Length <= axis || shape[axis] != expected)
            {
                throw new PipelineException(RuntimeDiagnosticCodes.ModelTensorMismatch,
                    $"{Path}: tensor '{name}' has shape [{string.Join(", ", shape)}], which does not fit metadata '{key}' = {Metadata[key]}.");
            }
        }

        /// <summary>Every tensor, on the CPU; dispose it to free them.</summary>
        public TensorSet ReadTensors() => new(file.ReadTensors());
    }

    /// <summary>The tensors of a file, disposed together.</summary>
    internal sealed class TensorSet(Dictionary<string, Tensor> tensors) : IDisposable
    {
        public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

        public void Dispose()
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Builds a network from checked metadata; an argument the constructor refuses is a metadata error.</summary>
    internal static T Build<T>(ModelMetadata metadata, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException error)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelMetadataInvalid, $"{metadata.Path}: the metadata describes no network this runtime can build: {error.Message}.");
        }
    }

    /// <summary>The scored dimensions: 1 to 64 distinct names, in the order of the network's outputs.</summary>
    internal static string[] Dimensions(ModelMetadata metadata)
    {
        var dimensions = metadata.List<string>(ModelMetadata.Dimensions);
        if (dimensions.Length is 0 or > MaxDimensions || dimensions.Any(string.IsNullOrWhiteSpace) || dimensions.Distinct(StringComparer.Ordinal).Count() != dimensions.Length)
        {
            throw metadata.Invalid(ModelMetadata.Dimensions, $"is '{metadata[ModelMetadata.Dimensions]}', not a list of 1 to {MaxDimensions} distinct dimension names");
        }

        return dimensions;
    }

    /// <summary>A video shape from metadata: 3 colour channels, and at most 2^24 values per video.</summary>
    internal static VideoShape VideoShape(ModelMetadata metadata)
    {
        var shape = metadata.Shape(ModelMetadata.VideoShape, 4);
        if (shape[0] != 3 || (long)shape[1] * shape[2] * shape[3] > (1 << 24) / 3)
        {
            throw metadata.Invalid(ModelMetadata.VideoShape, $"is '{metadata[ModelMetadata.VideoShape]}'; a video shape is [3, frames, height, width] with at most 2^24 values");
        }

        return new VideoShape(shape[0], shape[1], shape[2], shape[3]);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary>
/// The fitted <c>autoencoder</c>: adds to a data view of videos (<see cref="VideoSetView"/>) each video's
/// reconstruction, the decoder's mean (column <c>Reconstruction</c>, floats C·T·H·W in [0, 1]). Model files:
/// <see cref="SaveModel"/> and <see cref="AutoencoderFile.Load"/>.
/// </summary>
public sealed class AutoencoderTransformer(MLContext context, VideoAutoencoder model, Device device) : ITransformer
{
    public const string ReconstructionColumn = "Reconstruction";

    public VideoAutoencoder Model { get; } = model;

    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        VideoSetView.WithColumnSchema(Model.VideoShape, ReconstructionColumn, Model.VideoShape.ToArray());

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("the autoencoder reconstructs whole batches; use Transform");

    public IDataView Transform(IDataView input)
    {
        var videos = VideoSetView.Read(context, input, Model.VideoShape);
        return videos.WithColumn(context, ReconstructionColumn, AutoencoderTrainer.Reconstruct(Model, videos, device), Model.VideoShape.ToArray());
    }

    /// <summary>ML.NET's model zip format cannot hold TorchSharp weights; model files are written by <see cref="SaveModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("save an autoencoder with SaveModel (a safetensors model file), not MLContext.Model.Save");

    /// <summary>Writes the autoencoder to one model file (<see cref="AutoencoderFile"/>), atomically (temporary file, then rename).</summary>
    public void SaveModel(string path, ModelProvenance? provenance = null) => AutoencoderFile.Save(Model, path, provenance);
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch.Models;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>
/// The fitted <c>latent_reward</c>: adds to a data view of videos (<see cref="VideoSetView"/>) the model's scores of
/// each video's clean latent (t = 0), column <c>Scores</c>, one float per dimension in <see cref="LatentRewardModel.Dimensions"/>'
/// order. Model files: <see cref="SaveModel"/> and <see cref="LatentRewardFile.Load"/>.
/// </summary>
public sealed class LatentRewardTransformer(MLContext context, LatentRewardModel model, Device device) : ITransformer
{
    public const string ScoresColumn = "Scores";

    public LatentRewardModel Model { get; } = model;

    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        VideoSetView.WithColumnSchema(Model.Autoencoder.VideoShape, ScoresColumn, Model.Dimensions.Count);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("the latent reward scores whole batches; use Transform");

    public IDataView Transform(IDataView input)
    {
        var videos = VideoSetView.Read(context, input, Model.Autoencoder.VideoShape);
        var count = Model.Dimensions.Count;
        float[] values;
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            var rows = VideoRows.FromFloats(videos.Shape, videos.SelectMany(v => v.Video.Data).ToArray());
            var latents = Model.Normalize(LatentRewardTrainer.EncodeAll(Model.Autoencoder, rows, device));
            var tokens = PromptTokens.Encode(videos.Select(v => v.Prompt).ToArray(), device);
            values = Model.Score(latents, zeros(videos.Count, device: device), tokens).cpu().data<float>().ToArray();
        }

        var scores = Enumerable.Range(0, videos.Count).Select(i => values.AsSpan(i * count, count).ToArray()).ToArray();
        return videos.WithColumn(context, ScoresColumn, scores, count);
    }

    /// <summary>ML.NET's model zip format cannot hold TorchSharp weights; model files are written by <see cref="SaveModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("save a latent reward with SaveModel (a safetensors model file), not MLContext.Model.Save");

    /// <summary>Writes the latent reward (and its autoencoder) to one model file (<see cref="LatentRewardFile"/>), atomically (temporary file, then rename).</summary>
    public void SaveModel(string path, ModelProvenance? provenance = null) => LatentRewardFile.Save(Model, path, provenance);
}

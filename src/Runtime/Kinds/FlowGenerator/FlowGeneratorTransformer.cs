using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>
/// The fitted <c>flow_generator</c>: turns a data view of prompts and seeds (columns <c>Prompt</c>: text,
/// <c>Seed</c>: int64) into one that adds the generated <c>Video</c> (float vector C·T·H·W in [0, 1], decoded
/// through the autoencoder). Rows that share a seed are sampled together in row order, so video j of seed s is
/// <c>Generator.Generate(prompts of seed s, s)[j]</c>. Model files: <see cref="SaveModel"/> and
/// <see cref="FlowGeneratorFile.Load"/>.
/// </summary>
public sealed class FlowGeneratorTransformer : ITransformer
{
    private readonly MLContext context;

    public FlowGeneratorTransformer(MLContext context, FlowGeneratorModel generator)
    {
        this.context = context;
        Generator = generator;
    }

    public FlowGeneratorModel Generator { get; }

    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(VideoSetView.PromptColumn, TextDataViewType.Instance);
        builder.AddColumn(FlowGeneratorEstimator.SeedColumn, NumberDataViewType.Int64);
        builder.AddColumn(VideoSetView.VideoColumn, new VectorDataViewType(NumberDataViewType.Single, Generator.Shape.Length));
        return builder.ToSchema();
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("flow generation samples whole batches; use Transform");

    public IDataView Transform(IDataView input)
    {
        var rows = context.Data.CreateEnumerable<FlowGeneratorEstimator.PromptRow>(input, reuseRowObject: false).ToArray();
        var output = new FlowGeneratorEstimator.GeneratedRow[rows.Length];
        foreach (var group in rows.Select((row, index) => (row, index)).GroupBy(p => p.row.Seed))
        {
            var members = group.ToArray();
            var videos = Generator.Generate(members.Select(m => m.row.Prompt).ToArray(), group.Key);
            for (var j = 0; j < members.Length; j++)
            {
                output[members[j].index] = new FlowGeneratorEstimator.GeneratedRow { Prompt = members[j].row.Prompt, Seed = group.Key, Video = videos[j].Data };
            }
        }

        var definition = SchemaDefinition.Create(typeof(FlowGeneratorEstimator.GeneratedRow));
        definition[VideoSetView.VideoColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Generator.Shape.Length);
        return context.Data.LoadFromEnumerable(output, definition);
    }

    /// <summary>ML.NET's model zip format cannot hold TorchSharp weights; model files are written by <see cref="SaveModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("save a flow generator with SaveModel (a safetensors model file), not MLContext.Model.Save");

    /// <summary>Writes the generator (and its autoencoder) to one model file (<see cref="FlowGeneratorFile"/>), atomically (temporary file, then rename).</summary>
    public void SaveModel(string path, ModelProvenance? provenance = null) => FlowGeneratorFile.Save(Generator, path, provenance);
}

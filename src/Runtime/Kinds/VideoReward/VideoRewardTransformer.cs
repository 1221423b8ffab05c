using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>
/// The fitted <c>video_reward</c>: scores the videos of a data view and adds one float column per dimension plus
/// Overall, z-normalised with the evaluation split's statistics (contracts.md). A view of single videos (columns
/// <c>prompt</c> and <c>video</c>) gains <c>reward_VQ</c>, <c>reward_MQ</c>, <c>reward_TA</c>, <c>reward_Overall</c> (the
/// columns of the official evaluation's per-video output); a view of pairs (<c>video_A</c>, <c>video_B</c>) gains
/// <c>reward_A_VQ</c> … and <c>reward_B_VQ</c> …. Every input column is kept. Model files: <see cref="SaveModel"/>
/// and <see cref="VideoRewardFile.Load"/>.
/// </summary>
public sealed class VideoRewardTransformer : ITransformer
{
    public const string PromptColumn = "prompt";
    public const string VideoColumn = "video";

    private static readonly (string Video, string Prefix)[] VideoColumns =
    {
        (VideoColumn, "reward_"), (RewardPairData.VideoAColumn, "reward_A_"), (RewardPairData.VideoBColumn, "reward_B_"),
    };

    private readonly MLContext context;

    public VideoRewardTransformer(MLContext context, VideoRewardModel model)
    {
        this.context = context;
        Model = model;
    }

    public VideoRewardModel Model { get; }

    public bool IsRowToRowMapper => false;

    /// <summary>The score columns of a single-video view for <paramref name="dimensions"/>, Overall last.</summary>
    public static IReadOnlyList<string> ScoreColumns(IEnumerable<string> dimensions, string prefix = "reward_") =>
        dimensions.Append(DimensionNames.Overall).Select(d => prefix + d).ToArray();

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var (_, prefix) in ScoredVideoColumns(inputSchema))
        {
            foreach (var name in ScoreColumns(Model.Dimensions, prefix))
            {
                builder.AddColumn(name, NumberDataViewType.Single);
            }
        }

        return builder.ToSchema();
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("reward scoring runs whole batches through the network; use Transform");

    public IDataView Transform(IDataView input)
    {
        var scored = ScoredVideoColumns(input.Schema);
        if (scored.Count == 0)
        {
            throw new ArgumentException($"the input has no video column to score ('{VideoColumn}', or '{RewardPairData.VideoAColumn}' and '{RewardPairData.VideoBColumn}')");
        }

        var prompt = input.Schema.GetColumnOrNull(PromptColumn) ?? throw new ArgumentException($"the input needs a text column '{PromptColumn}'");
        var prompts = new List<string>();
        var videos = scored.Select(_ => new List<float>()).ToArray();
        using (var cursor = input.GetRowCursor(scored.Select(s => s.Column).Append(prompt)))
        {
            var promptGetter = cursor.GetGetter<ReadOnlyMemory<char>>(prompt);
            var videoGetters = scored.Select(s => cursor.GetGetter<VBuffer<float>>(s.Column)).ToArray();
            ReadOnlyMemory<char> text = default;
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                promptGetter(ref text);
                prompts.Add(text.ToString());
                for (var v = 0; v < videoGetters.Length; v++)
                {
                    videoGetters[v](ref buffer);
                    videos[v].AddRange(buffer.DenseValues());
                }
            }
        }

        var columns = new List<float[]>();
        for (var v = 0; v < scored.Count; v++)
        {
            var normalized = Model.ToNormalized(Model.ScoreRaw(videos[v].ToArray(), prompts));
            for (var d = 0; d < normalized.GetLength(1); d++)
            {
                columns.Add(Enumerable.Range(0, prompts.Count).Select(i => normalized[i, d]).ToArray());
            }
        }

        return new AddedColumnsDataView(input, GetOutputSchema(input.Schema), columns);
    }

    /// <summary>ML.NET's model zip format cannot hold TorchSharp weights; model files are written by <see cref="SaveModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("save a reward model with SaveModel (a safetensors model file), not MLContext.Model.Save");

    /// <summary>Writes the reward model to one model file (<see cref="VideoRewardFile"/>), atomically (temporary file, then rename).</summary>
    public void SaveModel(string path, ModelProvenance? provenance = null) => VideoRewardFile.Save(Model, path, provenance);

    private static IReadOnlyList<(DataViewSchema.Column Column, string Prefix)> ScoredVideoColumns(DataViewSchema schema)
    {
        var found = new List<(DataViewSchema.Column, string)>();
        foreach (var (name, prefix) in VideoColumns)
        {
            if (schema.GetColumnOrNull(name) is { } column && column.Type is VectorDataViewType { ItemType: NumberDataViewType } vector && vector.ItemType == NumberDataViewType.Single)
            {
                found.Add((column, prefix));
            }
        }

        return found;
    }

    /// <summary>The input view plus columns whose values were computed up front, one per row (read by row position).</summary>
    private sealed class AddedColumnsDataView(IDataView input, DataViewSchema schema, IReadOnlyList<float[]> added) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => schema;

        public IReadOnlyList<float[]> Added => added;

        public long? GetRowCount() => added.Count == 0 ? input.GetRowCount() : added[0].Length;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var inputCount = input.Schema.Count;
            var needed = columnsNeeded.Where(c => c.Index < inputCount).Select(c => input.Schema[c.Index]);
            return new Cursor(this, input.GetRowCursor(needed), inputCount);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Cursor(AddedColumnsDataView parent, DataViewRowCursor inner, int inputCount) : DataViewRowCursor
        {
            public override DataViewSchema Schema => parent.Schema;

            public override long Position => inner.Position;

            public override long Batch => inner.Batch;

            public override bool MoveNext() => inner.MoveNext();

            public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) =>
                column.Index >= inputCount || inner.IsColumnActive(inner.Schema[column.Index]);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index < inputCount)
                {
                    return inner.GetGetter<TValue>(inner.Schema[column.Index]);
                }

                var values = parent.Added[column.Index - inputCount];
                ValueGetter<float> getter = (ref float value) => value = values[inner.Position];
                return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"column '{column.Name}' is a float column, not {typeof(TValue).Name}");
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}

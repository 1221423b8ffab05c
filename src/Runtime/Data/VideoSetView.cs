using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data;

/// <summary>
/// A video set as an ML.NET data view, the one way the estimators that train on videos take them (<c>flow_generator</c>,
/// <c>autoencoder</c>, <c>flow_sft</c>; those that train on pairs take <c>PreferencePairSet.ToDataView</c>): one row per
/// video, with the columns <c>Prompt</c> (text) and <c>Video</c> (floats in [0, 1], a vector of dimensions C, T, H, W).
/// </summary>
public static class VideoSetView
{
    public const string PromptColumn = "Prompt";
    public const string VideoColumn = "Video";

    /// <summary>The views <see cref="ToDataView"/> made, with the set each shows, so that reading one back is free.</summary>
    private static readonly ConditionalWeakTable<IDataView, VideoSet> Made = new();

    /// <summary>The set's view (the videos' buffers are not copied).</summary>
    public static IDataView ToDataView(this VideoSet videos, MLContext context)
    {
        var definition = SchemaDefinition.Create(typeof(VideoRow));
        definition[VideoColumn].ColumnType = VideoType(videos.Shape);
        var view = context.Data.LoadFromEnumerable(videos.Select(v => new VideoRow { Prompt = v.Prompt, Video = v.Video.Data }).ToArray(), definition);
        Made.Add(view, videos);
        return view;
    }

    /// <summary>
    /// The videos of a view with these columns, of <paramref name="shape"/> (null: the <c>Video</c> column's dimensions).
    /// A view <see cref="ToDataView"/> made gives back its set itself: a cursor would copy every video (ML.NET copies
    /// each vector into a new array), as the pair views do through <c>RewardPairData.Read</c>.
    /// </summary>
    public static VideoSet Read(MLContext context, IDataView data, VideoShape? shape = null)
    {
        if (Made.TryGetValue(data, out var made) && (shape is null || shape == made.Shape))
        {
            return made;
        }

        var video = data.Schema.GetColumnOrNull(VideoColumn) ?? throw new ArgumentException($"the input needs a float vector column '{VideoColumn}'");
        var resolved = shape ?? ShapeOf(video);
        var rows = context.Data.CreateEnumerable<VideoRow>(data, reuseRowObject: false);
        return new VideoSet(resolved, rows.Select(r => new PromptedVideo(r.Prompt, new Video(resolved, r.Video))).ToArray());
    }

    /// <summary>
    /// A transformer's output: the set's rows with one float vector column more, <paramref name="column"/> of
    /// <paramref name="dimensions"/>, holding <paramref name="values"/>[i] for video i (an autoencoder's
    /// reconstruction, a latent reward's scores).
    /// </summary>
    public static IDataView WithColumn(this VideoSet videos, MLContext context, string column, IReadOnlyList<float[]> values, params int[] dimensions)
    {
        var definition = SchemaDefinition.Create(typeof(AddedRow));
        definition[VideoColumn].ColumnType = VideoType(videos.Shape);
        var added = definition[nameof(AddedRow.Added)];
        added.ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        added.ColumnName = column;
        var rows = videos.Select((v, i) => new AddedRow { Prompt = v.Prompt, Video = v.Video.Data, Added = values[i] }).ToArray();
        return context.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>The schema of <see cref="WithColumn"/>'s view.</summary>
    public static DataViewSchema WithColumnSchema(VideoShape shape, string column, params int[] dimensions)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(PromptColumn, TextDataViewType.Instance);
        builder.AddColumn(VideoColumn, VideoType(shape));
        builder.AddColumn(column, new VectorDataViewType(NumberDataViewType.Single, dimensions));
        return builder.ToSchema();
    }

    /// <summary>The video shape of a video column, from its vector's dimensions (C, T, H, W).</summary>
    public static VideoShape ShapeOf(DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType { Dimensions.Length: 4 } vector)
        {
            return new VideoShape(vector.Dimensions[0], vector.Dimensions[1], vector.Dimensions[2], vector.Dimensions[3]);
        }

        throw RuntimeErrors.InvalidOption(null, $"column '{column.Name}' does not carry a video shape (C, T, H, W); pass the shape explicitly");
    }

    private static VectorDataViewType VideoType(VideoShape shape) => new(NumberDataViewType.Single, shape.ToArray());

    /// <summary>A row of a video view (ML.NET maps the properties to the columns by name).</summary>
    public sealed class VideoRow
    {
        public string Prompt { get; set; } = string.Empty;

        public float[] Video { get; set; } = Array.Empty<float>();
    }

    /// <summary>A row of <see cref="WithColumn"/>'s view (not a <see cref="VideoRow"/>: an inherited property would come last in the schema).</summary>
    public sealed class AddedRow
    {
        public string Prompt { get; set; } = string.Empty;

        public float[] Video { get; set; } = Array.Empty<float>();

        public float[] Added { get; set; } = Array.Empty<float>();
    }
}

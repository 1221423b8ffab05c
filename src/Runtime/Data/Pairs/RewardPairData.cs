using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Pairs;

/// <summary>
/// Preference pairs as the reward model trains on them, read from a data view through a cursor: the prompt, the two
/// videos (float vectors C·T·H·W), a label h ∈ {+1, −1, 0} per dimension with a flag for unknown labels, and
/// optional per-video targets for the regression loss.
/// </summary>
/// <remarks>
/// Columns read (names as in the VideoGen-RewardBench files): <c>prompt</c> (text), <c>video_A</c> and <c>video_B</c>
/// (float vectors), one label column per dimension named like the dimension (<c>VQ</c>, <c>MQ</c>, <c>TA</c>,
/// <c>Overall</c>) holding text (A, B, same/tie), an integer or a float (+1, −1, 0), and, for regression, per-video
/// targets <c>MOS_A_{dim}</c> and <c>MOS_B_{dim}</c> (the repository's column names; in the synthetic world the
/// oracle's z-scores). Column names are matched case-insensitively.
/// </remarks>
public sealed class RewardPairData
{
    public const string PromptColumn = "prompt";
    public const string VideoAColumn = "video_A";
    public const string VideoBColumn = "video_B";

    public RewardPairData(VideoShape shape, IReadOnlyList<string> dimensions, string[] prompts, VideoRows videosA, VideoRows videosB, sbyte[] labels, bool[] known, float[]? targetsA, float[]? targetsB)
    {
        ArgumentNullException.ThrowIfNull(videosA);
        ArgumentNullException.ThrowIfNull(videosB);
        Shape = shape;
        Dimensions = dimensions.ToArray();
        Prompts = prompts;
        VideosA = videosA;
        VideosB = videosB;
        Labels = labels;
        Known = known;
        TargetsA = targetsA;
        TargetsB = targetsB;
        if (videosA.Shape != shape || videosB.Shape != shape || videosA.Count != Count || videosB.Count != Count || labels.Length != Count * Dimensions.Count || known.Length != labels.Length)
        {
            throw new ArgumentException("pair arrays do not agree with the pair count, video shape and dimensions");
        }
    }

    public VideoShape Shape { get; }

    public IReadOnlyList<string> Dimensions { get; }

    public int Count => Prompts.Length;

    public string[] Prompts { get; }

    /// <summary>Videos A by pair, read a minibatch at a time (bytes from a decoded-video store stay bytes until the device).</summary>
    public VideoRows VideosA { get; }

    /// <summary>Videos B by pair.</summary>
    public VideoRows VideosB { get; }

    /// <summary>Labels [Count, Dimensions] row-major: +1 A wins, −1 B wins, 0 tie (or unknown, see <see cref="Known"/>).</summary>
    public sbyte[] Labels { get; }

    /// <summary>Whether each label is known (an unknown label is masked out of the loss and the accuracies).</summary>
    public bool[] Known { get; }

    /// <summary>Per-video targets of video A [Count, Dimensions] (NaN when unknown), or null when the data has none.</summary>
    public float[]? TargetsA { get; }

    public float[]? TargetsB { get; }

    /// <summary>The labels of one dimension for the pairs whose label is known, as the metrics take them.</summary>
    public (PreferenceLabel[] Labels, int[] Rows) LabelsOf(string dimension)
    {
        var d = IndexOf(dimension);
        var rows = Enumerable.Range(0, Count).Where(i => Known[(i * Dimensions.Count) + d]).ToArray();
        return (rows.Select(i => (PreferenceLabel)Labels[(i * Dimensions.Count) + d]).ToArray(), rows);
    }

    /// <summary>The winner vote of pair <paramref name="pair"/> over the rated dimensions (<see cref="PreferenceVote"/>).</summary>
    public int Vote(int pair)
    {
        var rated = PreferenceVote.Rated(Enumerable.Range(0, Dimensions.Count).ToArray(), d => Dimensions[d]);
        return PreferenceVote.Of(rated.Select(d => Known[(pair * Dimensions.Count) + d] ? Labels[(pair * Dimensions.Count) + d] : 0));
    }

    public int IndexOf(string dimension)
    {
        for (var d = 0; d < Dimensions.Count; d++)
        {
            if (string.Equals(Dimensions[d], dimension, StringComparison.OrdinalIgnoreCase))
            {
                return d;
            }
        }

        return -1;
    }

    /// <summary>Reads a preference-pair data view through one cursor.</summary>
    /// <param name="data">The view.</param>
    /// <param name="shape">The video shape; when null it is taken from the video column's vector dimensions (C, T, H, W).</param>
    /// <param name="dimensions">The label columns to read; null: whichever of VQ, MQ, TA, Overall the view has.</param>
    /// <remarks>
    /// A view over a <see cref="PreferencePairSet"/> (<see cref="PreferencePairSet.ToDataView"/>) is read from its pairs
    /// directly, without copying a video: the videos stay where the set keeps them (a decoded-video store, the world's
    /// renders) and are read a minibatch at a time. Any other view is read through a cursor into memory.
    /// </remarks>
    public static RewardPairData Read(IDataView data, VideoShape? shape = null, IReadOnlyList<string>? dimensions = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data is PreferencePairDataView view && (shape is null || shape == view.Pairs.Shape))
        {
            return FromPairs(view.Pairs, dimensions);
        }

        var schema = data.Schema;
        var prompt = Find(schema, PromptColumn) ?? throw Missing(PromptColumn);
        var videoA = Find(schema, VideoAColumn) ?? throw Missing(VideoAColumn);
        var videoB = Find(schema, VideoBColumn) ?? throw Missing(VideoBColumn);
        var resolvedShape = shape ?? VideoSetView.ShapeOf(videoA);
        dimensions ??= DimensionNames.All.Where(d => Find(schema, d) is not null).ToArray();
        var labelColumns = dimensions.Select(d => Find(schema, d) ?? throw Missing(d)).ToArray();
        var targetColumnsA = dimensions.Select(d => Find(schema, "MOS_A_" + d)).ToArray();
        var targetColumnsB = dimensions.Select(d => Find(schema, "MOS_B_" + d)).ToArray();
        var hasTargets = targetColumnsA.Any(c => c is not null) && targetColumnsB.Any(c => c is not null);

        var active = new[] { prompt, videoA, videoB }.Concat(labelColumns).Concat(targetColumnsA.Concat(targetColumnsB).Where(c => c is not null).Select(c => c!.Value)).ToArray();
        var prompts = new List<string>();
        var videosA = new List<float>();
        var videosB = new List<float>();
        var labels = new List<sbyte>();
        var known = new List<bool>();
        var targetsA = new List<float>();
        var targetsB = new List<float>();
        using var cursor = data.GetRowCursor(active);
        var promptGetter = cursor.GetGetter<ReadOnlyMemory<char>>(prompt);
        var aGetter = cursor.GetGetter<VBuffer<float>>(videoA);
        var bGetter = cursor.GetGetter<VBuffer<float>>(videoB);
        var labelGetters = labelColumns.Select(c => LabelGetter(cursor, c)).ToArray();
        var targetGettersA = targetColumnsA.Select(c => c is null ? null : TargetGetter(cursor, c.Value)).ToArray();
        var targetGettersB = targetColumnsB.Select(c => c is null ? null : TargetGetter(cursor, c.Value)).ToArray();
        ReadOnlyMemory<char> text = default;
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            promptGetter(ref text);
            prompts.Add(text.ToString());
            foreach (var (getter, into) in new[] { (aGetter, videosA), (bGetter, videosB) })
            {
                getter(ref buffer);
                if (buffer.Length != resolvedShape.Length)
                {
                    throw RuntimeErrors.InvalidOption(null, $"row {prompts.Count}: a video has {buffer.Length} values, but videos of shape {resolvedShape} have {resolvedShape.Length}");
                }

                into.AddRange(buffer.DenseValues());
            }

            for (var d = 0; d < labelGetters.Length; d++)
            {
                var label = labelGetters[d]();
                labels.Add((sbyte)(label ?? 0));
                known.Add(label is not null);
                if (hasTargets)
                {
                    targetsA.Add(targetGettersA[d]?.Invoke() ?? float.NaN);
                    targetsB.Add(targetGettersB[d]?.Invoke() ?? float.NaN);
                }
            }
        }

        return new RewardPairData(resolvedShape, dimensions, prompts.ToArray(), VideoRows.FromFloats(resolvedShape, videosA.ToArray()), VideoRows.FromFloats(resolvedShape, videosB.ToArray()),
            labels.ToArray(), known.ToArray(), hasTargets ? targetsA.ToArray() : null, hasTargets ? targetsB.ToArray() : null);
    }

    /// <summary>
    /// The pairs of a set as the cursor of its data view reads them (the same prompts, labels and targets), with the
    /// videos left in the set's sources.
    /// </summary>
    private static RewardPairData FromPairs(PreferencePairSet pairs, IReadOnlyList<string>? dimensions)
    {
        dimensions ??= DimensionNames.All.Where(d => pairs.Dimensions.Any(p => string.Equals(p.ToString(), d, StringComparison.OrdinalIgnoreCase))).ToArray();
        var columns = dimensions.Select(d => pairs.Dimensions.Where(p => string.Equals(p.ToString(), d, StringComparison.OrdinalIgnoreCase)).Cast<PreferenceDimension?>().FirstOrDefault()
            ?? throw Missing(d)).ToArray();
        var count = pairs.Count;
        var labels = new sbyte[count * columns.Length];
        var known = new bool[labels.Length];
        var hasTargets = pairs.HasTargets;
        var targetsA = hasTargets ? new float[labels.Length] : null;
        var targetsB = hasTargets ? new float[labels.Length] : null;
        for (var i = 0; i < count; i++)
        {
            var pair = pairs.Pairs[i];
            for (var d = 0; d < columns.Length; d++)
            {
                labels[(i * columns.Length) + d] = (sbyte)(int)pair.Labels[columns[d]];
                known[(i * columns.Length) + d] = true;
                if (hasTargets)
                {
                    targetsA![(i * columns.Length) + d] = pair.TargetsA![columns[d]];
                    targetsB![(i * columns.Length) + d] = pair.TargetsB![columns[d]];
                }
            }
        }

        return new RewardPairData(pairs.Shape, dimensions, pairs.Pairs.Select(p => p.Prompt).ToArray(),
            new PairVideoRows(pairs, a: true), new PairVideoRows(pairs, a: false), labels, known, targetsA, targetsB);
    }

    /// <summary>Video A or B of each pair of a set, read from the pair's source.</summary>
    private sealed class PairVideoRows(PreferencePairSet pairs, bool a) : VideoRows(pairs.Shape, pairs.Count)
    {
        public override void CopyFloats(int row, Span<float> destination) => Source(row).Load().Data.CopyTo(destination);

        public override bool TryCopyBytes(int row, Span<byte> destination) => Source(row).TryCopyBytes(destination);

        private VideoSource Source(int row) => a ? pairs.Pairs[row].VideoA : pairs.Pairs[row].VideoB;
    }

    /// <summary>Parses a label as the paper's files write it: A → +1, B → −1, same (or tie) → 0; anything else is unknown.</summary>
    public static int? ParseLabel(string text) => text.Trim().ToLowerInvariant() switch
    {
        "a" or "1" or "+1" => 1,
        "b" or "-1" => -1,
        "same" or "tie" or "0" => 0,
        _ => null,
    };

    private static DataViewSchema.Column? Find(DataViewSchema schema, string name)
    {
        foreach (var column in schema)
        {
            if (!column.IsHidden && string.Equals(column.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return column;
            }
        }

        return null;
    }

    private static PipelineException Missing(string column) =>
        new(RuntimeDiagnosticCodes.InvalidStageOptions, $"the preference-pair data has no column '{column}'");

    private static Func<int?> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type.RawType;
        if (type == typeof(ReadOnlyMemory<char>))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () =>
            {
                ReadOnlyMemory<char> value = default;
                getter(ref value);
                return ParseLabel(value.ToString());
            };
        }

        var number = NumberGetter(cursor, column);
        return () =>
        {
            var value = number();
            return double.IsNaN(value) ? null : value > 0 ? 1 : value < 0 ? -1 : 0;
        };
    }

    private static Func<float> TargetGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var number = NumberGetter(cursor, column);
        return () => (float)number();
    }

    private static Func<double> NumberGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type.RawType)
        {
            case var t when t == typeof(float):
                {
                    var g = cursor.GetGetter<float>(column);
                    return () => { float v = 0; g(ref v); return v; };
                }

            case var t when t == typeof(double):
                {
                    var g = cursor.GetGetter<double>(column);
                    return () => { double v = 0; g(ref v); return v; };
                }

            case var t when t == typeof(sbyte):
                {
                    var g = cursor.GetGetter<sbyte>(column);
                    return () => { sbyte v = 0; g(ref v); return v; };
                }

            case var t when t == typeof(short):
                {
                    var g = cursor.GetGetter<short>(column);
                    return () => { short v = 0; g(ref v); return v; };
                }

            case var t when t == typeof(int):
                {
                    var g = cursor.GetGetter<int>(column);
                    return () => { int v = 0; g(ref v); return v; };
                }

            case var t when t == typeof(long):
                {
                    var g = cursor.GetGetter<long>(column);
                    return () => { long v = 0; g(ref v); return v; };
                }

            default:
                throw RuntimeErrors.InvalidOption(null, $"column '{column.Name}' has type {column.Type}; labels are text (A, B, same) or numbers (+1, −1, 0)");
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Pairs;

/// <summary>The column names of a preference-pair data view.</summary>
public static class PreferencePairColumns
{
    /// <summary>The prompt text (Text).</summary>
    public const string Prompt = "prompt";

    /// <summary>GPT-2 token ids of the prompt (variable-length vector of Int32).</summary>
    public const string PromptTokens = "prompt_tokens";

    /// <summary>Video A (vector of Single with dimensions C, T, H, W).</summary>
    public const string VideoA = "video_A";

    /// <summary>Video B (vector of Single with dimensions C, T, H, W).</summary>
    public const string VideoB = "video_B";

    /// <summary>Where the pair came from, "file:line" or "world pair i" (Text).</summary>
    public const string Origin = "origin";

    /// <summary>
    /// Per-video target score of video A on a dimension (Single), present when every pair has targets: the
    /// repository's <c>MOS_A_{dim}</c> columns of a file, or the oracle's z-scores in the synthetic world.
    /// </summary>
    public static string TargetA(PreferenceDimension dimension) => $"MOS_A_{dimension}";

    /// <summary>Per-video target score of video B on a dimension (Single); see <see cref="TargetA"/>.</summary>
    public static string TargetB(PreferenceDimension dimension) => $"MOS_B_{dimension}";

    /// <summary>
    /// The label column of a dimension: its name ("VQ", "MQ", "TA", "Overall"), Single holding the paper's
    /// h = +1 (A preferred), −1 (B preferred) or 0 (tie).
    /// </summary>
    public static string Label(PreferenceDimension dimension) => dimension.ToString();
}

/// <summary>
/// A read-only <see cref="IDataView"/> over a <see cref="PreferencePairSet"/>. Videos are produced only for cursors
/// that activate a video column; prompt tokens are computed once per row.
/// </summary>
internal sealed class PreferencePairDataView : IDataView
{
    private readonly PreferencePairSet _pairs;
    private readonly Lazy<int[]?>[] _tokens;
    private readonly int _promptColumn, _tokensColumn, _videoAColumn, _videoBColumn, _originColumn, _firstLabelColumn, _firstTargetColumn, _firstExtraColumn;

    public PreferencePairDataView(PreferencePairSet pairs)
    {
        _pairs = pairs;
        _tokens = pairs.Pairs.Select(p => new Lazy<int[]?>(() => PromptTokenizer.Encode(p.Prompt))).ToArray();
        var builder = new DataViewSchema.Builder();
        var videoType = new VectorDataViewType(NumberDataViewType.Single, pairs.Shape.ToArray());
        builder.AddColumn(PreferencePairColumns.Prompt, TextDataViewType.Instance);
        builder.AddColumn(PreferencePairColumns.PromptTokens, new VectorDataViewType(NumberDataViewType.Int32));
        builder.AddColumn(PreferencePairColumns.VideoA, videoType);
        builder.AddColumn(PreferencePairColumns.VideoB, videoType);
        builder.AddColumn(PreferencePairColumns.Origin, TextDataViewType.Instance);
        foreach (var dimension in pairs.Dimensions)
        {
            builder.AddColumn(PreferencePairColumns.Label(dimension), NumberDataViewType.Single);
        }

        var targets = pairs.HasTargets ? pairs.Dimensions.Count : 0;
        for (var d = 0; d < targets; d++)
        {
            builder.AddColumn(PreferencePairColumns.TargetA(pairs.Dimensions[d]), NumberDataViewType.Single);
            builder.AddColumn(PreferencePairColumns.TargetB(pairs.Dimensions[d]), NumberDataViewType.Single);
        }

        foreach (var extra in pairs.ExtraColumns)
        {
            builder.AddColumn(extra, TextDataViewType.Instance);
        }

        Schema = builder.ToSchema();
        (_promptColumn, _tokensColumn, _videoAColumn, _videoBColumn, _originColumn) = (0, 1, 2, 3, 4);
        _firstLabelColumn = 5;
        _firstTargetColumn = 5 + pairs.Dimensions.Count;
        _firstExtraColumn = _firstTargetColumn + 2 * targets;
    }

    /// <summary>The pair set the view reads.</summary>
    public PreferencePairSet Pairs => _pairs;

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _pairs.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly PreferencePairDataView _view;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(PreferencePairDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            foreach (var column in columnsNeeded)
            {
                _active[column.Index] = true;
            }
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._pairs.Count)
            {
                _position = _view._pairs.Count;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            }

            Delegate getter = column.Index switch
            {
                var i when i == _view._promptColumn => Text(() => Current.Prompt),
                var i when i == _view._originColumn => Text(() => Current.Origin),
                var i when i == _view._tokensColumn => (ValueGetter<VBuffer<int>>)((ref VBuffer<int> value) =>
                {
                    var tokens = _view._tokens[CheckedPosition()].Value!;
                    var editor = VBufferEditor.Create(ref value, tokens.Length);
                    tokens.CopyTo(editor.Values);
                    value = editor.Commit();
                }),
                var i when i == _view._videoAColumn => VideoGetter(() => Current.VideoA),
                var i when i == _view._videoBColumn => VideoGetter(() => Current.VideoB),
                var i when i < _view._firstTargetColumn => LabelGetter(_view._pairs.Dimensions[i - _view._firstLabelColumn]),
                var i when i < _view._firstExtraColumn => TargetGetter(_view._pairs.Dimensions[(i - _view._firstTargetColumn) / 2], (i - _view._firstTargetColumn) % 2 == 0),
                _ => Text(() => Current.Extras.TryGetValue(column.Name, out var extra) ? extra : ""),
            };

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        private PreferencePair Current => _view._pairs.Pairs[CheckedPosition()];

        private int CheckedPosition() => _position >= 0 && _position < _view._pairs.Count
            ? (int)_position
            : throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");

        private static ValueGetter<ReadOnlyMemory<char>> Text(Func<string> text) =>
            (ref ReadOnlyMemory<char> value) => value = text().AsMemory();

        private ValueGetter<float> LabelGetter(PreferenceDimension dimension) =>
            (ref float value) => value = (int)Current.Labels[dimension];

        private ValueGetter<float> TargetGetter(PreferenceDimension dimension, bool videoA) =>
            (ref float value) => value = (videoA ? Current.TargetsA : Current.TargetsB)![dimension];

        private static ValueGetter<VBuffer<float>> VideoGetter(Func<VideoSource> source) =>
            (ref VBuffer<float> value) =>
            {
                var data = source().Load().Data;
                var editor = VBufferEditor.Create(ref value, data.Length);
                data.CopyTo(editor.Values);
                value = editor.Commit();
            };
    }
}

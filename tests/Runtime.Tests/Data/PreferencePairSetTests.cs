using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Data;

public class PreferencePairSetTests
{
    private static readonly PreferenceDimension[] Three = [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA];

    private sealed class CountingVideo(Video video) : VideoSource
    {
        public int Loads { get; private set; }

        public override Video Load()
        {
            Loads++;
            return video;
        }

        public override string Description => "counting";
    }

    private static Video Constant(float value) => new(new VideoShape(3, 2, 2, 2), Enumerable.Repeat(value, 24).ToArray());

    private static PreferencePair Pair(string prompt, float a, float b, params PreferenceLabel[] labels) => new(
        prompt, new CountingVideo(Constant(a)), new CountingVideo(Constant(b)),
        Three.Zip(labels).ToDictionary(p => p.First, p => p.Second),
        new Dictionary<string, string> { ["note"] = prompt + "!" }, $"hand:{prompt}");

    private static PreferencePairSet HandMade() => new(new VideoShape(3, 2, 2, 2), Three, ["note"],
    [
        Pair("p0", 0.1f, 0.2f, PreferenceLabel.A, PreferenceLabel.A, PreferenceLabel.B),
        Pair("p1", 0.3f, 0.4f, PreferenceLabel.Tie, PreferenceLabel.Tie, PreferenceLabel.Tie),
        Pair("p2", 0.5f, 0.6f, PreferenceLabel.B, PreferenceLabel.Tie, PreferenceLabel.A),
        Pair("p3", 0.7f, 0.8f, PreferenceLabel.B, PreferenceLabel.B, PreferenceLabel.Tie),
    ]);

    [Fact]
    public void The_data_view_has_typed_columns_and_cursors_read_them()
    {
        var view = HandMade().ToDataView();
        var schema = view.Schema;
        Assert.Equal(TextDataViewType.Instance, schema[PreferencePairColumns.Prompt].Type);
        var videoType = Assert.IsType<VectorDataViewType>(schema[PreferencePairColumns.VideoA].Type);
        Assert.Equal([3, 2, 2, 2], videoType.Dimensions.ToArray());
        Assert.Equal(NumberDataViewType.Single, videoType.ItemType);
        Assert.Equal(NumberDataViewType.Single, schema["TA"].Type);
        Assert.Equal(TextDataViewType.Instance, schema["note"].Type);
        Assert.Equal(4L, view.GetRowCount());

        var columns = new[] { schema[PreferencePairColumns.Prompt], schema[PreferencePairColumns.VideoB], schema["TA"], schema["note"], schema[PreferencePairColumns.PromptTokens] };
        using var cursor = view.GetRowCursor(columns);
        var prompt = cursor.GetGetter<ReadOnlyMemory<char>>(columns[0]);
        var videoB = cursor.GetGetter<VBuffer<float>>(columns[1]);
        var ta = cursor.GetGetter<float>(columns[2]);
        var note = cursor.GetGetter<ReadOnlyMemory<char>>(columns[3]);
        var tokens = cursor.GetGetter<VBuffer<int>>(columns[4]);
        var seen = new List<(string, float, float, string, string)>();
        ReadOnlyMemory<char> text = default, noteText = default;
        VBuffer<float> video = default;
        VBuffer<int> ids = default;
        float label = 0;
        while (cursor.MoveNext())
        {
            prompt(ref text);
            videoB(ref video);
            ta(ref label);
            note(ref noteText);
            tokens(ref ids);
            Assert.Equal(24, video.Length);
            seen.Add((text.ToString(), video.GetValues()[0], label, noteText.ToString(), PromptTokenizer.Decode(ids.DenseValues())));
        }

        Assert.Equal(
        [
            ("p0", 0.2f, -1f, "p0!", "p0"),
            ("p1", 0.4f, 0f, "p1!", "p1"),
            ("p2", 0.6f, 1f, "p2!", "p2"),
            ("p3", 0.8f, 0f, "p3!", "p3"),
        ], seen);
    }

    [Fact]
    public void A_cursor_without_video_columns_never_loads_a_video()
    {
        var set = HandMade();
        var view = set.ToDataView();
        using var cursor = view.GetRowCursor([view.Schema["VQ"]]);
        var vq = cursor.GetGetter<float>(view.Schema["VQ"]);
        var sum = 0f;
        while (cursor.MoveNext())
        {
            float value = 0;
            vq(ref value);
            sum += value;
        }

        Assert.Equal(1 + 0 - 1 - 1, sum);
        Assert.All(set.Pairs, p => Assert.Equal(0, ((CountingVideo)p.VideoA).Loads + ((CountingVideo)p.VideoB).Loads));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema[PreferencePairColumns.VideoA]));
    }

    [Fact]
    public void Dropping_ties_drops_only_pairs_tied_on_every_kept_dimension()
    {
        var kept = HandMade().WithTies(TieHandling.Drop);
        Assert.Equal(["p0", "p2", "p3"], kept.Pairs.Select(p => p.Prompt));
        Assert.Equal(4, HandMade().WithTies(TieHandling.Keep).Count);
    }

    [Fact]
    public void Winners_follow_the_sum_of_labels_over_the_chosen_dimensions()
    {
        var set = HandMade();
        // All three: p0 (+1 +1 −1 = +1) → A 0.1; p1 tie → none; p2 (−1 0 +1 = 0) → none; p3 (−2) → B 0.8.
        Assert.Equal([0.1f, 0.8f], set.Winners().Select(w => w.Video.Data[0]));
        // TA only: p0 → B 0.2, p2 → A 0.5.
        Assert.Equal([0.2f, 0.5f], set.Winners([PreferenceDimension.TA]).Select(w => w.Video.Data[0]));
        Assert.Equal(["p0", "p2"], set.Winners([PreferenceDimension.TA]).Select(w => w.Prompt));
        Assert.Throws<ArgumentException>(() => set.Winners([PreferenceDimension.Overall]));
    }

    [Fact]
    public void Splits_keep_prompts_apart_are_seeded_and_check_fractions()
    {
        var world = new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 40, EvalPrompts = 8 }, 3);
        var set = PreferencePairSet.FromWorld(world, world.Pairs(300), Three);
        var split = set.Split(0.8, 0.2, seed: 11);
        Assert.Equal(300, split.Train.Count + split.Eval.Count);
        Assert.InRange(split.Train.Count, 240, 260);
        Assert.Empty(split.Train.Pairs.Select(p => p.Prompt).Intersect(split.Eval.Pairs.Select(p => p.Prompt)));
        var again = set.Split(0.8, 0.2, seed: 11);
        Assert.Equal(split.Train.Pairs.Select(p => p.Origin), again.Train.Pairs.Select(p => p.Origin));
        var other = set.Split(0.8, 0.2, seed: 12);
        Assert.NotEqual(split.Train.Pairs.Select(p => p.Origin), other.Train.Pairs.Select(p => p.Origin));
        Assert.Equal(DataDiagnosticCodes.InvalidSplit, Assert.Throws<PipelineException>(() => set.Split(0.8, 0.3, 1)).Code);
        Assert.Equal(DataDiagnosticCodes.InvalidSplit, Assert.Throws<PipelineException>(() => set.Split(1.2, -0.2, 1)).Code);
        Assert.Equal(set.Pairs.Select(p => p.Origin).Order(), set.Shuffle(5).Pairs.Select(p => p.Origin).Order());
    }

    [Fact]
    public void World_pairs_carry_the_oracle_scores_as_targets_and_render_their_videos()
    {
        var world = new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 16, EvalPrompts = 4 }, 5);
        var pairs = world.Pairs(6);
        var set = PreferencePairSet.FromWorld(world, pairs, Three);
        Assert.True(set.HasTargets);
        var view = set.ToDataView();
        var column = view.Schema[PreferencePairColumns.TargetA(PreferenceDimension.MQ)];
        var videoColumn = view.Schema[PreferencePairColumns.VideoA];
        using var cursor = view.GetRowCursor([column, videoColumn]);
        var target = cursor.GetGetter<float>(column);
        var video = cursor.GetGetter<VBuffer<float>>(videoColumn);
        var row = 0;
        while (cursor.MoveNext())
        {
            float value = 0;
            VBuffer<float> pixels = default;
            target(ref value);
            video(ref pixels);
            Assert.Equal((float)pairs[row].ScoresA.MQ, value);
            Assert.Equal(pairs[row].RenderA().Data, pixels.DenseValues().ToArray());
            row++;
        }

        Assert.Equal(6, row);
        Assert.Equal(world.Shape.ToArray(), ((VectorDataViewType)videoColumn.Type).Dimensions.ToArray());
    }

    [Fact]
    public void The_tokenizer_handles_arbitrary_prompts()
    {
        var prompt = "The camera remains still, a girl with braided hair — 桜 — sat on it.";
        var ids = PromptTokenizer.Encode(prompt);
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.InRange(id, 0, PromptTokenizer.VocabularySize - 1));
        Assert.Equal(prompt, PromptTokenizer.Decode(ids));
        // GPT-2 encodes "hello world" as 31373, 995.
        Assert.Equal([31373, 995], PromptTokenizer.Encode("hello world"));
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>The ML.NET surface: Fit through cursors, the score columns, the schema, and checkpoints.</summary>
public sealed class VideoRewardEstimatorTests
{
    private static readonly string[] Dimensions = { "VQ", "MQ", "TA" };

    [Fact]
    public void Fit_reads_the_pairs_and_the_transformer_adds_scores_with_a_z_normalised_Overall()
    {
        var split = RewardTestData.Split(96);
        var ml = new MLContext(seed: 1);
        var estimator = Estimator(ml, split.Train, RewardLoss.Btt(5.0));

        var transformer = estimator.Fit(split.Train.ToDataView(), split.Eval.ToDataView());

        Assert.Equal((split.Train.Count + 16 - 1) / 16, estimator.Trainer!.Losses.Count);
        var videos = VideosView(ml, split.Eval);
        var rows = ml.Data.CreateEnumerable<ScoredVideo>(transformer.Transform(videos), reuseRowObject: false).ToArray();
        Assert.Equal(2 * split.Eval.Count, rows.Length);
        Assert.All(rows, r => Assert.Equal((r.reward_VQ + r.reward_MQ + r.reward_TA) / 3, r.reward_Overall, 4));
        // Normalised on these very videos (the eval split): each dimension has mean 0 and standard deviation 1.
        Assert.Equal(0, rows.Average(r => r.reward_VQ), 3);
        Assert.Equal(1, Math.Sqrt(rows.Average(r => r.reward_TA * r.reward_TA)), 3);
        Assert.Equal(split.Eval.Pairs[0].Prompt, rows[0].prompt);
    }

    [Fact]
    public void A_pair_view_gains_scores_for_both_videos_and_keeps_its_columns()
    {
        var split = RewardTestData.Split(64);
        var ml = new MLContext(seed: 1);
        var transformer = Estimator(ml, split.Train, RewardLoss.Bt).Fit(split.Train.ToDataView(), split.Eval.ToDataView());

        var scored = transformer.Transform(split.Eval.ToDataView());

        Assert.NotNull(scored.Schema.GetColumnOrNull("origin"));
        Assert.NotNull(scored.Schema.GetColumnOrNull("VQ"));
        var rows = ml.Data.CreateEnumerable<ScoredPair>(scored, reuseRowObject: false).ToArray();
        Assert.Equal(split.Eval.Count, rows.Length);
        var direct = transformer.Model.ToNormalized(transformer.Model.ScoreRaw(new[] { split.Eval.Pairs[0].VideoB.Load() }, new[] { split.Eval.Pairs[0].Prompt }));
        Assert.Equal(direct[0, 1], rows[0].reward_B_MQ, 4); // batched and single scoring differ in the last float bits
    }

    [Fact]
    public void GetOutputSchema_adds_a_score_column_per_dimension_and_Overall()
    {
        var ml = new MLContext(seed: 1);
        var input = VideosView(ml, RewardTestData.Split(16).Eval);

        // SchemaShape.Create is internal to ML.NET (its estimators call it); reflection stands in for a caller's schema shape.
        var create = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })!;
        var shape = (SchemaShape)create.Invoke(null, new object[] { input.Schema })!;

        var schema = Estimator(ml, RewardTestData.Split(16).Train, RewardLoss.Bt).GetOutputSchema(shape);

        Assert.Equal(new[] { "reward_VQ", "reward_MQ", "reward_TA", "reward_Overall" }, schema.Select(c => c.Name).Where(n => n.StartsWith("reward_", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_model_file_round_trips_the_weights_dimensions_token_mode_tie_handling_and_normalisation()
    {
        var split = RewardTestData.Split(48);
        var ml = new MLContext(seed: 1);
        var transformer = Estimator(ml, split.Train, RewardLoss.Btt(3.0), RewardTokenMode.Shared).Fit(split.Train.ToDataView(), split.Eval.ToDataView());
        var folder = Directory.CreateTempSubdirectory("reward-checkpoint-").FullName;
        try
        {
            var path = Path.Combine(folder, "reward.safetensors");
            transformer.SaveModel(path);
            transformer.SaveModel(path);
            Assert.Equal(new[] { "reward.safetensors" }, Directory.GetFiles(folder).Select(Path.GetFileName));

            var metadata = ModelFile.ReadMetadata(path);
            Assert.Equal(Dimensions, metadata.List<string>(ModelMetadata.Dimensions));
            Assert.Equal("shared", metadata[ModelMetadata.Tokens]);
            Assert.Equal("rao-kupper", metadata[ModelMetadata.Ties]);
            Assert.Equal(3.0, metadata.Double(ModelMetadata.TieTheta));
            var loaded = VideoRewardFile.Load(path, Pipeline.Runtime.Torch.Backend.DeviceSpec.Cpu.Resolve());
            Assert.Equal(RewardTokenMode.Shared, loaded.Tokens);
            Assert.Equal(transformer.Model.Normalization!.Mean, loaded.Normalization!.Mean);
            var videos = split.Eval.Pairs.Select(p => p.VideoA.Load()).ToArray();
            var prompts = split.Eval.Pairs.Select(p => p.Prompt).ToArray();
            Assert.Equal(transformer.Model.ScoreNormalized(videos, prompts), loaded.ScoreNormalized(videos, prompts));
            IVideoJudge judge = loaded;
            Assert.Equal(transformer.Model.ScoreRaw(videos, prompts)[2, 1], judge.Score(videos, prompts)[1][2], 6);
            Assert.Equal(loaded.Normalization.StandardDeviation, judge.StandardDeviation);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Regression_without_targets_fails_with_a_clear_message()
    {
        var split = RewardTestData.Split(16);
        var ml = new MLContext(seed: 1);
        var withoutTargets = ml.Transforms.DropColumns(new[] { "VQ", "MQ", "TA" }.SelectMany(d => new[] { "MOS_A_" + d, "MOS_B_" + d }).ToArray())
            .Fit(split.Train.ToDataView()).Transform(split.Train.ToDataView());

        var error = Assert.Throws<PipelineException>(() => Estimator(ml, split.Train, RewardLoss.Regression).Fit(withoutTargets));

        Assert.Contains("MOS_A_", error.Message);
    }

    private static VideoRewardEstimator Estimator(MLContext ml, PreferencePairSet train, RewardLoss loss, RewardTokenMode tokens = RewardTokenMode.Separate)
    {
        var options = KindDefaults.Of<VideoRewardOptions>() with { Train = train, Loss = loss, Tokens = tokens, Width = 8, Epochs = 1, Lr = 1e-3, Batch = 16 };
        return new VideoRewardEstimator(ml, options) { Run = new TrainingRun(Seed: 5, Stage: "video_reward") };
    }

    private static IDataView VideosView(MLContext ml, PreferencePairSet pairs)
    {
        var rows = pairs.Pairs.SelectMany(p => new[] { new VideoRow { prompt = p.Prompt, video = p.VideoA.Load().Data }, new VideoRow { prompt = p.Prompt, video = p.VideoB.Load().Data } }).ToArray();
        var definition = SchemaDefinition.Create(typeof(VideoRow));
        definition["video"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, pairs.Shape.Length);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

#pragma warning disable IDE1006, SA1300 // ML.NET maps properties to columns by name; these are the column names.
    private sealed class VideoRow
    {
        public string prompt { get; set; } = string.Empty;

        public float[] video { get; set; } = Array.Empty<float>();
    }

    private sealed class ScoredVideo
    {
        public string prompt { get; set; } = string.Empty;

        public float reward_VQ { get; set; }

        public float reward_MQ { get; set; }

        public float reward_TA { get; set; }

        public float reward_Overall { get; set; }
    }

    private sealed class ScoredPair
    {
        public string origin { get; set; } = string.Empty;

        public float reward_A_VQ { get; set; }

        public float reward_B_MQ { get; set; }
    }
#pragma warning restore IDE1006, SA1300
}

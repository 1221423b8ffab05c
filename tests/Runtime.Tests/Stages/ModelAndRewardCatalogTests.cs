using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.Autoencoder;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Tests.Generation;
using Pipeline.Runtime.Tests.Reward;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Stages;

/// <summary>
/// The catalog methods of the model and reward kinds (<c>mlContext.Models()</c>, <c>mlContext.Rewards()</c>), one
/// test each: the estimator a catalog makes from a kind's options fits a data view of the stage's inputs, as the
/// stage fits it (the aligners' are in <c>AlignerStageTests</c>).
/// </summary>
public sealed class ModelAndRewardCatalogTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), "pipeline-catalog-" + Guid.NewGuid().ToString("N"));
    private readonly MLContext ml = new(seed: 1);

    [Fact]
    public void Models_FlowGenerator_fits_a_video_view_as_it_fits_the_set()
    {
        var world = TinyWorld();
        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Width = 8, SamplingSteps = 2 };
        options.Pretrain = options.Pretrain with { Data = world.Videos, Steps = 4, Batch = 8 };
        var fromView = ml.Models().FlowGenerator(options);
        var fromSet = ml.Models().FlowGenerator(options);
        Assert.Same(options, fromView.Options);
        Assert.Throws<InvalidOperationException>(() => fromView.Fit(world.Videos)); // no Run yet: the stage sets it

        fromView.Run = fromSet.Run = new TrainingRun(Seed: 3, Stage: "gen");
        var generator = fromView.Fit(world.Videos.ToDataView(ml)).Generator;
        fromSet.Fit(world.Videos);

        Assert.Equal(4, fromView.Trainer!.Losses.Count);
        Assert.Equal(fromSet.Trainer!.Losses, fromView.Trainer.Losses);
        Assert.Equal(world.Videos.Shape, generator.Shape);
    }

    [Fact]
    public void Models_Autoencoder_fits_a_video_view_and_its_transformer_adds_the_reconstructions()
    {
        var world = TinyWorld();
        var estimator = ml.Models().Autoencoder(KindDefaults.Of<AutoencoderOptions>() with { Data = world.Videos, Latent = [2, 2, 2, 2], Width = 8, Steps = 3, Batch = 8 });
        estimator.Run = new TrainingRun(Seed: 3, Stage: "ae");
        var view = world.Videos.ToDataView(ml);

        var transformer = estimator.Fit(view);
        var scored = transformer.Transform(view);

        Assert.Equal(3, estimator.Trainer!.Losses.Count);
        Assert.Equal(new LatentShape(2, 2, 2, 2), transformer.Model.LatentShape);
        Assert.Equal(Columns(transformer.GetOutputSchema(view.Schema)), Columns(scored.Schema));
        var rows = ml.Data.CreateEnumerable<Reconstructed>(scored, reuseRowObject: false).ToArray();
        var expected = AutoencoderTrainer.Reconstruct(transformer.Model, world.Videos, CPU);
        Assert.Equal(world.Videos.Count, rows.Length);
        Assert.Equal(world.Videos[1].Prompt, rows[1].Prompt);
        Assert.Equal(world.Videos[1].Video.Data, rows[1].Video);
        Assert.Equal(expected[1], rows[1].Reconstruction);
    }

    [Fact]
    public void Rewards_VideoReward_is_what_the_stage_fits_on_the_views_of_its_pairs()
    {
        var split = RewardTestData.Split(48);
        var context = GenerationFixtures.Context(output: output);
        var options = KindDefaults.Of<VideoRewardOptions>() with { Train = split.Train, Eval = split.Eval, Width = 8, Epochs = 1, Batch = 16 };
        var estimator = context.MLContextFor("vr").Rewards().VideoReward(options);

        var stage = (VideoRewardModel)VideoRewardStage.Run(context, "vr", estimator).Artifact;

        // The stage set the run: its seed, name and device.
        var run = estimator.Run!;
        Assert.Equal(((long)context.StageSeed("vr"), "vr", DeviceType.CPU), (run.Seed, run.Stage, run.Device.type));
        var direct = ml.Rewards().VideoReward(options);
        direct.Run = new TrainingRun(context.StageSeed("vr"), "vr");
        var model = direct.Fit(split.Train.ToDataView(), split.Eval.ToDataView()).Model;
        Assert.Equal(estimator.Trainer!.Losses, direct.Trainer!.Losses);
        Assert.Equal(stage.Normalization!.Mean, model.Normalization!.Mean);
        Assert.Equal(stage.Normalization.StandardDeviation, model.Normalization.StandardDeviation);
    }

    [Fact]
    public void Rewards_LatentReward_fits_a_pair_view_on_its_autoencoders_latents_and_scores_videos()
    {
        var world = TinyWorld();
        var autoencoder = ml.Models().Autoencoder(KindDefaults.Of<AutoencoderOptions>() with { Data = world.Videos, Latent = [2, 2, 2, 2], Width = 8, Steps = 2, Batch = 8 });
        autoencoder.Run = new TrainingRun(Seed: 3, Stage: "ae");
        var pairs = PreferencePairSet.FromWorld(world.Synthetic, world.Pairs(32).Pairs, [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA]);
        var options = KindDefaults.Of<LatentRewardOptions>() with { Train = pairs, Autoencoder = autoencoder.Fit(world.Videos).Model, Width = 8, Epochs = 1, Batch = 16 };
        var estimator = ml.Rewards().LatentReward(options);
        estimator.Run = new TrainingRun(Seed: 3, Stage: "latent");

        var transformer = estimator.Fit(pairs.ToDataView());
        var view = world.Videos.ToDataView(ml);
        var scored = transformer.Transform(view);

        Assert.Equal(2, estimator.Trainer!.Losses.Count); // one epoch of ⌈32 / 16⌉ minibatches
        Assert.Equal(new[] { "VQ", "MQ", "TA" }, transformer.Model.Dimensions);
        Assert.Equal(Columns(transformer.GetOutputSchema(view.Schema)), Columns(scored.Schema));
        var rows = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToArray();
        Assert.Equal(world.Videos.Count, rows.Length);
        Assert.All(rows, r => Assert.Equal(3, r.Scores.Count(float.IsFinite)));

        // Without an autoencoder the stage leaves it to flow_nrg, which fits it on its generator's (FlowNrgTests).
        var pending = ml.Rewards().LatentReward(options with { Autoencoder = null });
        pending.Run = estimator.Run;
        Assert.Contains("autoencoder", Assert.Throws<PipelineException>(() => pending.Fit(pairs.ToDataView())).Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static World TinyWorld() => GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);

    private static (string Name, DataViewType Type)[] Columns(DataViewSchema schema) => schema.Select(c => (c.Name, c.Type)).ToArray();

    private sealed class Reconstructed
    {
        public string Prompt { get; set; } = string.Empty;

        public float[] Video { get; set; } = [];

        public float[] Reconstruction { get; set; } = [];
    }

    private sealed class Scored
    {
        public string Prompt { get; set; } = string.Empty;

        public float[] Scores { get; set; } = [];
    }
}

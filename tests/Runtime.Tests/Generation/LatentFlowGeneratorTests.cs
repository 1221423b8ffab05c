using Microsoft.ML;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.Autoencoder;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Tests.Shared;

namespace Pipeline.Runtime.Tests.Generation;

public sealed class LatentFlowGeneratorTests
{
    [Fact]
    public void A_latent_generator_trains_samples_reproducibly_and_survives_a_checkpoint()
    {
        var world = GenerationFixtures.TinyWorld();
        var context = GenerationFixtures.Context();
        var autoencoderOptions = KindDefaults.Of<AutoencoderOptions>() with { Data = world.Videos, Latent = new[] { 4, 4, 4, 4 }, Width = 32, Steps = 400, Lr = 3e-3, Batch = 16 };
        var autoencoder = AutoencoderStage.Run(context, "ae", context.MLContextFor("ae").Models().Autoencoder(autoencoderOptions));

        // Reconstruction beats predicting every pixel's mean over the set by a wide margin.
        var mse = (double)autoencoder.Metrics["reconstruction_mse"]!;
        Assert.True(mse < 0.5 * PixelVariance(world), $"reconstruction MSE {mse} vs pixel variance {PixelVariance(world)}");

        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Autoencoder = (VideoAutoencoder)autoencoder.Artifact, Width = 32, SamplingSteps = 8 };
        options.Pretrain.Data = world.Videos;
        options.Pretrain.Steps = 120;
        options.Pretrain.Batch = 16;
        var output = FlowGeneratorStage.Run(context, "gen", context.MLContextFor("gen").Models().FlowGenerator(options));
        Assert.True((double)output.Metrics["loss_end"]! < 0.8 * (double)output.Metrics["loss_start"]!, "flow-matching loss did not fall");
        var generator = Assert.IsType<FlowGeneratorModel>(output.Artifact);

        var prompts = world.EvalPrompts.Take(3).ToArray();
        var first = generator.Generate(prompts, 5);
        Assert.Equal(3, first.Count);
        Assert.Equal(world.Videos.Shape, first[0].Shape);
        Assert.All(first, v => Assert.All(v.Data, x => Assert.InRange(x, 0f, 1f)));
        Assert.Equal(first[1].Data, generator.Generate(prompts, 5)[1].Data);
        Assert.NotEqual(first[1].Data, generator.Generate(prompts, 6)[1].Data);
        Assert.NotEqual(first[1].Data, generator.Generate(prompts, 5, steps: 8, cfgScale: 3.0)[1].Data);

        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "gen.safetensors");
        FlowGeneratorFile.Save(generator, path);
        Assert.Single(Directory.GetFiles(folder.Path));
        var loaded = FlowGeneratorFile.Load(path, generator.Device);
        Assert.Equal(first[2].Data, loaded.Generate(prompts, 5)[2].Data);
    }

    [Fact]
    public void The_estimator_fits_a_data_view_and_its_transformer_adds_videos_per_prompt_and_seed()
    {
        var world = GenerationFixtures.TinyWorld(prompts: 8);
        var ml = new MLContext(seed: 1);
        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Width = 32, Timesteps = FlowTimesteps.LogitNormal, CfgDropout = 0.1, CfgScale = 1.0, SamplingSteps = 4 };
        options.Pretrain = options.Pretrain with { Data = world.Videos, Steps = 20, Lr = 1e-3, Batch = 8 };
        var estimator = ml.Models().FlowGenerator(options);
        estimator.Run = new TrainingRun(Seed: 3, Stage: "gen");
        var view = world.Videos.ToDataView(ml);

        var transformer = estimator.Fit(view);
        Assert.Equal(20, estimator.Trainer!.Losses.Count);
        var prompts = world.EvalPrompts.Take(2).ToArray();
        var input = ml.Data.LoadFromEnumerable(new[]
        {
            new FlowGeneratorEstimator.PromptRow { Prompt = prompts[0], Seed = 11 },
            new FlowGeneratorEstimator.PromptRow { Prompt = prompts[1], Seed = 11 },
            new FlowGeneratorEstimator.PromptRow { Prompt = prompts[0], Seed = 12 },
        });
        var rows = ml.Data.CreateEnumerable<FlowGeneratorEstimator.GeneratedRow>(transformer.Transform(input), reuseRowObject: false).ToArray();

        Assert.Equal(3, rows.Length);
        Assert.Equal(transformer.Generator.Generate(prompts, 11)[1].Data, rows[1].Video);
        Assert.Equal(transformer.Generator.Generate(new[] { prompts[0] }, 12)[0].Data, rows[2].Video);
    }

    [Fact]
    public void World_prompt_words_get_distinct_token_ids()
    {
        var words = new[] { "a", "moving", "small", "large", "slowly", "quickly", "disk", "square", "diamond", "left", "right", "up", "down", "up-left", "up-right", "down-left", "down-right" }
            .Concat(Pipeline.Runtime.Data.Synthetic.SyntheticVocabulary.ColourNames).ToArray();
        Assert.Equal(words.Length, words.Select(PromptTokens.Id).Distinct().Count());
        Assert.Equal(new[] { "a", "small", "red", "disk", "moving", "slowly", "up-left" }, PromptTokens.Words("a small red disk moving slowly up-left"));
    }

    private static double PixelVariance(Pipeline.Runtime.Kinds.SyntheticVideos.World world)
    {
        var videos = world.Videos;
        var length = videos.Shape.Length;
        double total = 0;
        for (var j = 0; j < length; j++)
        {
            var mean = videos.Average(v => (double)v.Video.Data[j]);
            total += videos.Sum(v => (v.Video.Data[j] - mean) * (v.Video.Data[j] - mean));
        }

        return total / (length * (double)videos.Count);
    }
}

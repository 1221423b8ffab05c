using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Tests.Training;

public sealed class FlowGeneratorStageTests
{
    [Fact]
    public void Pretraining_lowers_the_flow_matching_loss_and_sampling_is_reproducible()
    {
        var shape = new VideoShape(3, 2, 4, 4);
        var videos = new VideoSet(shape, Enumerable.Range(0, 8).Select(i => new PromptedVideo("p" + i, StripeVideo(shape, i % 2))).ToArray());
        var options = KindDefaults.Of<FlowGeneratorOptions>();
        options.Pretrain.Data = videos;
        options.Pretrain.Steps = 200;
        options.Pretrain.Batch = 8;
        options.Width = 64;
        var context = Context();

        var output = FlowGeneratorStage.Run(context, "gen", context.MLContextFor("gen").Models().FlowGenerator(options));

        var start = (double)output.Metrics["loss_start"]!;
        var end = (double)output.Metrics["loss_end"]!;
        Assert.True(end < 0.7 * start, $"loss fell only from {start} to {end}");
        var generator = Assert.IsType<FlowGeneratorModel>(output.Artifact);
        var prompts = new[] { "p0", "p1" };
        var first = generator.Generate(prompts, seed: 5);
        var second = generator.Generate(prompts, seed: 5);
        Assert.Equal(first[0].Data, second[0].Data);
        Assert.NotEqual(first[0].Data, generator.Generate(prompts, seed: 6)[0].Data);
    }

    [Fact]
    public void Catalogue_defaults_fill_the_options()
    {
        var options = KindDefaults.Of<FlowGeneratorOptions>();
        Assert.Equal(800, options.Pretrain.Steps);
        Assert.Equal(1e-3, options.Pretrain.Lr);
        Assert.Equal(64, options.Width);
        Assert.Equal(FlowTimesteps.Uniform, options.Timesteps);
        Assert.Null(options.Autoencoder);
    }

    private static Video StripeVideo(VideoShape shape, int phase)
    {
        var data = new float[shape.Channels * shape.Frames * shape.Height * shape.Width];
        for (var c = 0; c < shape.Channels; c++)
        {
            for (var t = 0; t < shape.Frames; t++)
            {
                for (var h = 0; h < shape.Height; h++)
                {
                    for (var w = 0; w < shape.Width; w++)
                    {
                        data[shape.IndexOf(c, t, h, w)] = (w + t + phase) % 2 == 0 ? 0.9f : 0.1f;
                    }
                }
            }
        }

        return new Video(shape, data);
    }

    private static RunContext Context()
    {
        var info = new ExperimentInfo("test", "0", string.Empty, "test", "test", 7, "cpu", Array.Empty<StageInfo>());
        return new RunContext(info, Path.GetTempPath(), Path.GetTempPath(), _ => { });
    }
}

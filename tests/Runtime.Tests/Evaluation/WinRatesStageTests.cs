using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.WinRates;
using Pipeline.Runtime.Tests.Generation;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Evaluation;

public sealed class WinRatesStageTests
{
    [Fact]
    public void The_worst_world_generator_loses_to_the_best_and_the_section_has_the_contract_shape()
    {
        var world = GenerationFixtures.TinyWorld(frames: 8, size: 16, generators: 4);
        var context = GenerationFixtures.Context();
        context.Complete(new StageOutput("world", "synthetic_videos", world));
        var options = KindDefaults.Of<WinRatesOptions>() with
        {
            Prompts = world.EvalPrompts,
            Methods = new IVideoGenerator[] { world.Worst, world.Best },
            Baseline = world.Best,
            Judges = new IVideoJudge[] { world.Oracle },
            Seeds = 16,
            Gifs = 2,
        };

        var output = WinRatesStage.Run(context, "eval", options);

        var section = Assert.IsType<SortedDictionary<string, object?>>(context.ResultSections["win_rates"]);
        var oracle = Assert.IsType<SortedDictionary<string, object?>>(section["oracle"]);
        Assert.Equal(new[] { "world.best", "world.worst" }, oracle.Keys);
        var worst = Assert.IsType<SortedDictionary<string, object?>>(oracle["world.worst"]);
        Assert.Equal(new[] { "MQ", "Overall", "TA", "VQ", "n" }, worst.Keys);
        Assert.Equal(64, worst["n"]);
        foreach (var dimension in new[] { "VQ", "MQ", "TA", "Overall" })
        {
            Assert.True((double)worst[dimension]! < 0.35, $"{dimension}: the worst generator won {worst[dimension]} against the best");
        }

        // The baseline against itself: every sample a tie, so exactly one half.
        var self = Assert.IsType<SortedDictionary<string, object?>>(oracle["world.best"]);
        Assert.All(new[] { "VQ", "MQ", "TA", "Overall" }, d => Assert.Equal(0.5, (double)self[d]!));

        var report = Assert.IsType<WinRatesReport>(output.Artifact);
        Assert.Equal(2, report.Samples["world.worst"].Count);
        var means = report.MeanScores["oracle"];
        Assert.True(means["world.best"]["Overall"] > means["world.worst"]["Overall"]);
    }
}

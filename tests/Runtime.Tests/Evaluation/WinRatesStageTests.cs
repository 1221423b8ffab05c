using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.WinRates;
using Pipeline.Runtime.Tests.Generation;

namespace Pipeline.Runtime.Tests.Evaluation;

public sealed class WinRatesStageTests
{
    [Fact]
    public void A_win_rates_stage_without_prompts_or_baseline_is_a_PIPE4008_error_that_names_the_stage_not_an_InvalidOperationException()
    {
        var world = GenerationFixtures.TinyWorld(frames: 8, size: 16, generators: 4);
        var context = GenerationFixtures.Context();

        var noPrompts = Assert.Throws<PipelineException>(() => WinRatesStage.Run(context, "eval", new WinRatesOptions { Baseline = world.Best }));
        var noBaseline = Assert.Throws<PipelineException>(() => WinRatesStage.Run(context, "eval", new WinRatesOptions { Prompts = world.EvalPrompts }));

        Assert.Equal((RuntimeDiagnosticCodes.InvalidStageOptions, "eval", "prompts is required; the compiler checks it"), (noPrompts.Code, noPrompts.Stage, noPrompts.Message));
        Assert.Equal((RuntimeDiagnosticCodes.InvalidStageOptions, "eval", "baseline is required; the compiler checks it"), (noBaseline.Code, noBaseline.Stage, noBaseline.Message));
    }

    [Fact]
    public void The_worst_world_generator_loses_to_the_best_and_the_section_has_the_contract_shape()
    {
        var world = GenerationFixtures.TinyWorld(frames: 8, size: 16, generators: 4);
        var context = GenerationFixtures.Context();
        context.Complete(new StageOutput("world", "synthetic_videos", world));
        var options = new WinRatesOptions
        {
            Prompts = world.EvalPrompts,
            Methods = new IVideoGenerator[] { world.Worst, world.Best },
            Baseline = world.Best,
            Judges = new object[] { world.Oracle },
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

using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.FlowDpo;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Kinds.FlowRwr;
using Pipeline.Runtime.Kinds.FlowSft;
using Pipeline.Runtime.Kinds.PreferencePairs;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds.WinRates;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch.Backend;
using Xunit.Abstractions;

namespace Pipeline.Runtime.Tests.Alignment;

/// <summary>
/// Issue 8's acceptance on the configuration of examples/align.pipe, for seeds 7, 8 and 9, judged by the oracle on
/// 32 held-out prompts × 8 seeds = 256 samples: SFT, RWR and constant-β DPO each beat the pretrained model on the mean
/// of the VQ, MQ and TA win rates, and constant-β DPO wins on each of VQ, MQ and TA. Slow (about 15 s per seed on a
/// quiet two-core machine, much longer under load): <c>dotnet test tests/Runtime.Tests --filter Category=Slow</c>. The
/// win rates are written to the test output. As measured (docs/alignment.md) it fails: DPO loses MQ on every seed and
/// RWR's mean is below one half on seed 7.
/// </summary>
public sealed class AlignmentFindingsTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void Aligners_beat_the_pretrained_model_under_the_oracle(int seed)
    {
        DeviceSpec.Cpu.Resolve();
        var folder = Path.Combine(Path.GetTempPath(), "pipeline-align-findings-" + Guid.NewGuid().ToString("N"));
        try
        {
            var info = new ExperimentInfo("align", "0", string.Empty, "test", "test", seed, "cpu", Array.Empty<StageInfo>());
            var context = new RunContext(info, folder, folder, output.WriteLine);
            var world = (World)Run(context, SyntheticVideosStage.Run(context, "world", KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 64, EvalPrompts = 32, Frames = 4, Resolution = new[] { 8, 8 } }));
            var pairOptions = KindDefaults.Of<PreferencePairsOptions>() with { Source = world.Pairs(2000) };
            pairOptions.Split.Train = 0.8;
            pairOptions.Split.Eval = 0.2;
            var prefs = (PreferencePairs)Run(context, PreferencePairsStage.Run(context, "prefs", pairOptions));
            var reward = (IVideoJudge)Run(context, VideoRewardStage.Run(context, "vr", context.MLContextFor("vr").Rewards().VideoReward(KindDefaults.Of<VideoRewardOptions>() with { Train = prefs.Train, Eval = prefs.Eval })));
            var baseOptions = KindDefaults.Of<FlowGeneratorOptions>() with { Width = 128 };
            baseOptions.Pretrain.Data = world.Videos;
            baseOptions.Pretrain.Steps = 600;
            baseOptions.Pretrain.Lr = 1e-3;
            baseOptions.Pretrain.Batch = 64;
            var policy = (IVideoGenerator)Run(context, FlowGeneratorStage.Run(context, "base", context.MLContextFor("base").Models().FlowGenerator(baseOptions)));
            const int steps = 200, batch = 32;
            const double lr = 1e-4;
            var relabelled = prefs.Train.Relabel(reward);
            var sft = (IVideoGenerator)Run(context, FlowSftStage.Run(context, "sft", context.MLContextFor("sft").Alignment().FlowSft(KindDefaults.Of<FlowSftOptions>() with { Policy = policy, Data = prefs.Train.Winners(), Steps = steps, Batch = batch, Lr = lr })));
            var rwr = (IVideoGenerator)Run(context, FlowRwrStage.Run(context, "rwr", context.MLContextFor("rwr").Alignment().FlowRwr(KindDefaults.Of<FlowRwrOptions>() with { Policy = policy, Reward = reward, Prompts = world.Prompts, Samples = 512, Steps = steps, Batch = batch, Lr = lr })));
            var dpo = (IVideoGenerator)Run(context, FlowDpoStage.Run(context, "dpo", context.MLContextFor("dpo").Alignment().FlowDpo(KindDefaults.Of<FlowDpoOptions>() with { Policy = policy, Pairs = relabelled, Steps = steps, Batch = batch, Lr = lr })));
            var report = WinRatesStage.Run(context, "report", KindDefaults.Of<WinRatesOptions>() with
            {
                Prompts = world.EvalPrompts, Methods = new[] { sft, rwr, dpo }, Baseline = policy, Judges = new IVideoJudge[] { world.Oracle }, Seeds = 8, Gifs = 0,
            });
            var oracle = (SortedDictionary<string, object?>)((SortedDictionary<string, object?>)context.ResultSections["win_rates"]!)["oracle"]!;
            double Rate(string method, string dimension) => (double)((SortedDictionary<string, object?>)oracle[method]!)[dimension]!;
            foreach (var method in new[] { "sft", "rwr", "dpo" })
            {
                output.WriteLine($"seed {seed} {method}: VQ {Rate(method, "VQ"):0.000} MQ {Rate(method, "MQ"):0.000} TA {Rate(method, "TA"):0.000} Overall {Rate(method, "Overall"):0.000} (n = {report.Metrics["n"]})");
            }

            Assert.Equal(256, report.Metrics["n"]);
            foreach (var method in new[] { "sft", "rwr", "dpo" })
            {
                var mean = new[] { "VQ", "MQ", "TA" }.Average(d => Rate(method, d));
                Assert.True(mean > 0.5, $"seed {seed}: {method}'s mean oracle win rate over VQ, MQ and TA is {mean:0.000}");
            }

            Assert.All(new[] { "VQ", "MQ", "TA" }, d => Assert.True(Rate("dpo", d) > 0.5, $"seed {seed}: DPO's oracle {d} win rate is {Rate("dpo", d):0.000}"));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static object Run(RunContext context, StageOutput stage)
    {
        context.Complete(stage);
        return stage.Artifact;
    }
}

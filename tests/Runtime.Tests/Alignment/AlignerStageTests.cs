using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.FlowDpo;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Kinds.FlowRwr;
using Pipeline.Runtime.Kinds.FlowSft;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Generation;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Alignment;

/// <summary>The three aligner stages end to end on a tiny world: what they produce, what they log, what they leave alone.</summary>
public sealed class AlignerStageTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), "pipeline-align-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Sft_rwr_and_dpo_produce_generators_of_the_policy_and_leave_the_policy_unchanged()
    {
        var (world, context, policy, pairs) = Setup();
        var before = Snapshot(policy.Network);
        var judge = world.Oracle;

        var sft = FlowSftStage.Run(context, "sft", context.MLContextFor("sft").Alignment().FlowSft(KindDefaults.Of<FlowSftOptions>() with { Policy = policy, Data = pairs.Winners(), Steps = 20, Batch = 8, Lr = 1e-3 }));
        var rwr = FlowRwrStage.Run(context, "rwr", context.MLContextFor("rwr").Alignment().FlowRwr(KindDefaults.Of<FlowRwrOptions>() with { Policy = policy, Reward = judge, Prompts = world.Prompts, Samples = 32, Steps = 20, Batch = 8, Lr = 1e-3 }));
        var relabelled = pairs.Relabel(judge);
        var dpo = FlowDpoStage.Run(context, "dpo", context.MLContextFor("dpo").Alignment().FlowDpo(KindDefaults.Of<FlowDpoOptions>() with { Policy = policy, Pairs = relabelled, Steps = 20, Batch = 8, Lr = 1e-3, CfgDropout = 0.5 }));
        var dpoT = FlowDpoStage.Run(context, "dpo_t", context.MLContextFor("dpo_t").Alignment().FlowDpo(KindDefaults.Of<FlowDpoOptions>() with
        {
            Policy = policy, Pairs = relabelled, Steps = 20, Batch = 8, Lr = 1e-3,
            Beta = DpoBeta.Timestep(beta: 500.0),
            Lora = new LoraOptions { Rank = 4, Alpha = 8 },
        }));

        foreach (var stage in new[] { sft, rwr, dpo, dpoT })
        {
            var generator = Assert.IsType<FlowGeneratorModel>(stage.Artifact);
            Assert.NotSame(policy.Network, generator.Network);
            Assert.Same(policy.Space, generator.Space);
            Assert.Equal(policy.Shape, generator.Generate(new[] { world.EvalPrompts[0] }, 3)[0].Shape);
            Assert.True(double.IsFinite((double)stage.Metrics["loss_end"]!));
            var lines = File.ReadAllLines(Path.Combine(output, stage.Stage, "metrics.jsonl"));
            Assert.Equal(20, lines.Length);
            using var first = JsonDocument.Parse(lines[0]);
            Assert.Equal(0, first.RootElement.GetProperty("step").GetInt32());
            Assert.True(first.RootElement.TryGetProperty("loss", out _));
        }

        Assert.Equal("full", sft.Metrics["fine_tuning"]);
        Assert.Equal("lora rank 4 alpha 8", dpoT.Metrics["fine_tuning"]);
        Assert.Equal("500", dpo.Metrics["beta"]);
        Assert.Equal("timestep(500)", dpoT.Metrics["beta"]);
        Assert.Equal(32, rwr.Metrics["samples"]);
        Assert.Equal(0.0, sft.Metrics["cfg_dropout"]);
        Assert.Equal(0.5, dpo.Metrics["cfg_dropout"]);

        // At step 0 the trained copy equals the frozen reference, so every DPO loss is exactly log 2 and no pair is
        // counted correct (the margin is 0), with full fine-tuning and with LoRA alike, and with prompts dropped (the
        // reference sees the same null prompts).
        foreach (var stage in new[] { "dpo", "dpo_t" })
        {
            using var first = JsonDocument.Parse(File.ReadLines(Path.Combine(output, stage, "metrics.jsonl")).First());
            Assert.Equal(Math.Log(2), first.RootElement.GetProperty("loss").GetDouble(), 5);
            Assert.Equal(0, first.RootElement.GetProperty("implicit_accuracy").GetDouble());
            Assert.Equal(0, first.RootElement.GetProperty("reward_margin").GetDouble(), 6);
        }

        var after = Snapshot(policy.Network);
        Assert.All(before, p => Assert.Equal(0f, (after[p.Key] - p.Value).abs().max().item<float>()));
    }

    [Fact]
    public void Relabelling_by_a_judge_picks_the_video_with_the_higher_mean_z_score()
    {
        var (world, _, _, pairs) = Setup(steps: 1);
        var judge = world.Oracle;
        var all = pairs.Relabel(judge);
        var ta = pairs.Relabel(judge, new[] { "TA" });
        Assert.Equal(new[] { PreferenceDimension.Overall }, all.Dimensions);
        Assert.Equal(pairs.Count, all.Count);
        var videos = pairs.Pairs.SelectMany(p => new[] { p.VideoA.Load(), p.VideoB.Load() }).ToArray();
        var prompts = pairs.Pairs.SelectMany(p => new[] { p.Prompt, p.Prompt }).ToArray();
        var scores = judge.Score(videos, prompts);
        double Z(int d, int v) => (scores[d][v] - judge.Mean[d]) / judge.StandardDeviation[d];
        var taIndex = judge.Dimensions.ToList().IndexOf("TA");
        for (var i = 0; i < pairs.Count; i++)
        {
            var mean = Enumerable.Range(0, 3).Average(d => Z(d, 2 * i)) - Enumerable.Range(0, 3).Average(d => Z(d, (2 * i) + 1));
            Assert.Equal(mean > 0 ? PreferenceLabel.A : mean < 0 ? PreferenceLabel.B : PreferenceLabel.Tie, all.Pairs[i].Labels[PreferenceDimension.Overall]);
            var onlyTa = Z(taIndex, 2 * i) - Z(taIndex, (2 * i) + 1);
            Assert.Equal(onlyTa > 0 ? PreferenceLabel.A : onlyTa < 0 ? PreferenceLabel.B : PreferenceLabel.Tie, ta.Pairs[i].Labels[PreferenceDimension.Overall]);
        }

        Assert.Throws<ArgumentException>(() => pairs.Relabel(judge, new[] { "Fun" }));
    }

    [Fact]
    public void The_estimators_fit_ml_net_data_views_like_their_typed_inputs()
    {
        var (_, _, policy, pairs) = Setup(steps: 10);
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var run = new TrainingRun(Seed: 5, Stage: "align");
        var dpo = KindDefaults.Of<FlowDpoOptions>() with { Policy = policy, Pairs = pairs, Steps = 3, Batch = 4, Lr = 1e-3 };
        var fromSet = ml.Alignment().FlowDpo(dpo);
        var fromView = ml.Alignment().FlowDpo(dpo);
        fromSet.Run = fromView.Run = run;
        fromSet.Fit(pairs);
        fromView.Fit(pairs.ToDataView());
        Assert.True(fromSet.PairsUsed > 0);
        Assert.Equal(fromSet.PairsUsed, fromView.PairsUsed);
        Assert.Equal(fromSet.Trainer!.Series["loss"], fromView.Trainer!.Series["loss"]);

        var winners = pairs.Winners();
        var sft = KindDefaults.Of<FlowSftOptions>() with { Policy = policy, Data = winners, Steps = 3, Batch = 4, Lr = 1e-3 };
        var sftSet = new FlowSftEstimator(ml, sft) { Run = run };
        var sftView = new FlowSftEstimator(ml, sft) { Run = run };
        sftSet.Fit(winners);
        sftView.Fit(winners.ToDataView(ml));
        Assert.Equal(sftSet.Trainer!.Series["loss"], sftView.Trainer!.Series["loss"]);
        foreach (var trainer in new[] { fromSet.Trainer, fromView.Trainer, sftSet.Trainer, sftView.Trainer })
        {
            trainer.Dispose();
        }

    }

    [Fact]
    public void The_catalogue_fills_the_aligners_defaults_and_beta_is_a_constant_or_timestep()
    {
        var dpo = KindDefaults.Of<FlowDpoOptions>();
        Assert.Equal(new DpoBeta(500, TimeDependent: false), dpo.Beta);
        Assert.Null(dpo.Lora);
        Assert.Equal(new[] { PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA }, KindDefaults.Of<FlowRwrOptions>().Dimensions);
        DpoBeta constant = 250.0;
        Assert.Equal(new DpoBeta(250, TimeDependent: false), constant);
        Assert.Equal(new DpoBeta(500, TimeDependent: true), DpoBeta.Timestep(beta: 500));
        Assert.Equal("timestep(500)", DpoBeta.Timestep(beta: 500).ToString());
        Assert.Equal("250", constant.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private (World World, RunContext Context, FlowGeneratorModel Policy, PreferencePairSet Pairs) Setup(int steps = 60)
    {
        var world = GenerationFixtures.TinyWorld(prompts: 8, frames: 2, size: 8, generators: 3);
        var context = GenerationFixtures.Context(output: output);
        var videos = world.Videos;
        var options = KindDefaults.Of<FlowGeneratorOptions>() with { Width = 32, SamplingSteps = 4 };
        options.Pretrain.Data = videos;
        options.Pretrain.Steps = steps;
        options.Pretrain.Batch = 16;
        var policy = (FlowGeneratorModel)FlowGeneratorStage.Run(context, "base", context.MLContextFor("base").Models().FlowGenerator(options)).Artifact;
        var dimensions = new[] { PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA };
        var pairs = PreferencePairSet.FromWorld(world.Synthetic, world.Pairs(48).Pairs, dimensions);
        return (world, context, policy, pairs);
    }

    private static Dictionary<string, Tensor> Snapshot(TorchSharp.torch.nn.Module network) =>
        network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone(), StringComparer.Ordinal);
}

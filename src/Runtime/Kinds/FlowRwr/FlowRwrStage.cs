using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.FlowGenerator;

namespace Pipeline.Runtime.Kinds.FlowRwr;

/// <summary>Options of <c>flow_rwr</c>; defaults and documentation are in the catalogue.</summary>
public sealed record FlowRwrOptions : AlignmentBudgetOptions
{
    public required IVideoGenerator Policy { get; set; }

    public required IVideoJudge Reward { get; set; }

    public required PromptSet Prompts { get; set; }

    public required IReadOnlyList<PreferenceDimension> Dimensions { get; set; }

    public required int Samples { get; set; }

    public required double Temperature { get; set; }

    public required double CfgScale { get; set; }

    public required int SamplingSteps { get; set; }
}

/// <summary>
/// <c>flow_rwr</c>: policy samples scored by the reward stage, then reward-weighted flow matching with
/// softmax(r / temperature) weights within each batch (<see cref="FlowRwrEstimator"/>).
/// </summary>
public static class FlowRwrStage
{
    public static StageOutput Run(StageContext context, string name, FlowRwrEstimator estimator)
    {
        var options = estimator.Options;
        var prompts = options.Prompts.Select(p => new FlowGeneratorEstimator.PromptRow { Prompt = p });
        using var log = StageProgress.OpenMetrics(context, name);
        estimator.Run = StageProgress.Run(context, name, options.Steps, log);
        var settings = AlignmentStageSupport.Settings(estimator.Run.Seed, options);
        var generator = estimator.Fit(context.MLContextFor(name).Data.LoadFromEnumerable(prompts)).Generator;
        using var trainer = estimator.Trainer!;
        var output = AlignmentStageSupport.Output(name, "flow_rwr", generator, trainer, settings);
        var rewards = estimator.SampleRewards;
        var mean = rewards.Average();
        output.Metrics["samples"] = rewards.Count;
        output.Metrics["sample_reward_mean"] = Math.Round(mean, 6);
        output.Metrics["sample_reward_sd"] = Math.Round(Math.Sqrt(rewards.Average(r => (r - mean) * (r - mean))), 6);
        output.Metrics["max_weight_mean"] = trainer.Mean("max_weight", atStart: false, window: settings.Steps);
        context.Log($"{name}: RWR on {rewards.Count} policy samples (reward mean {mean:0.000}), {settings.Steps} steps ({output.Metrics["fine_tuning"]}), loss {trainer.Change()}");
        return output;
    }
}

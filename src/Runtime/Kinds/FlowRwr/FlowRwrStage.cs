using Microsoft.ML;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Kinds.FlowRwr;

/// <summary>Options of <c>flow_rwr</c>; defaults and documentation are in the catalogue.</summary>
public sealed class FlowRwrOptions : AlignmentBudgetOptions
{
    public FlowRwrOptions()
        : base("flow_rwr")
    {
    }

    public IVideoGenerator? Policy { get; set; }

    public IVideoJudge? Reward { get; set; }

    public PromptSet? Prompts { get; set; }

    public string[] Dimensions { get; set; } = Array.Empty<string>();

    public int Samples { get; set; }

    public double Temperature { get; set; }

    public double CfgScale { get; set; }

    public int SamplingSteps { get; set; }
}

/// <summary>
/// <c>flow_rwr</c>: policy samples scored by the reward stage, then reward-weighted flow matching with
/// softmax(r / temperature) weights within each batch (<see cref="FlowRwrEstimator"/>).
/// </summary>
public static class FlowRwrStage
{
    public static StageOutput Run(StageContext context, string name, FlowRwrOptions options)
    {
        var policy = AlignmentStageSupport.Policy(options.Policy, name);
        var reward = options.Reward ?? throw RuntimeErrors.Required(name, "reward");
        var prompts = options.Prompts ?? throw RuntimeErrors.Required(name, "prompts");
        var settings = AlignmentStageSupport.Settings(context, name, options);
        using var log = StageProgress.OpenMetrics(context, name);
        var estimator = new FlowRwrEstimator(new MLContext(seed: context.StageSeed(name)), policy, reward, settings, new RwrSettings(options.Samples, options.Temperature, options.Dimensions, options.SamplingSteps, options.CfgScale), name, log)
        {
            Progress = StageProgress.Every(context, name, settings.Steps),
        };
        var generator = estimator.Fit(prompts).Generator;
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

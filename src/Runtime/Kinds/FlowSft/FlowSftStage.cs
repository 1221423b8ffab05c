using Microsoft.ML;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Kinds.FlowSft;

/// <summary>Options of <c>flow_sft</c>; defaults and documentation are in the catalogue.</summary>
public sealed class FlowSftOptions : AlignmentBudgetOptions
{
    public FlowSftOptions()
        : base("flow_sft")
    {
    }

    public IVideoGenerator? Policy { get; set; }

    public VideoSet? Data { get; set; }

}

/// <summary>
/// <c>flow_sft</c>: flow matching on the winners only (<see cref="FlowSftEstimator"/>), starting from a copy of the
/// policy; produces a generator with the policy's autoencoder and sampler. Per-step metrics go to
/// <c>&lt;run&gt;/&lt;stage&gt;/metrics.jsonl</c>.
/// </summary>
public static class FlowSftStage
{
    public static StageOutput Run(StageContext context, string name, FlowSftOptions options)
    {
        var policy = AlignmentStageSupport.Policy(options.Policy, name);
        var data = options.Data ?? throw RuntimeErrors.Required(name, "data");
        var settings = AlignmentStageSupport.Settings(context, name, options);
        using var log = StageProgress.OpenMetrics(context, name);
        var estimator = new FlowSftEstimator(new MLContext(seed: context.StageSeed(name)), policy, settings, name, log)
        {
            Progress = StageProgress.Every(context, name, settings.Steps),
        };
        var generator = estimator.Fit(data).Generator;
        using var trainer = estimator.Trainer!;
        var output = AlignmentStageSupport.Output(name, "flow_sft", generator, trainer, settings);
        output.Metrics["winners"] = data.Count;
        context.Log($"{name}: SFT on {data.Count} winners, {settings.Steps} steps ({output.Metrics["fine_tuning"]}), loss {trainer.Change()}");
        return output;
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;

namespace Pipeline.Runtime.Kinds.FlowSft;

/// <summary>Options of <c>flow_sft</c>; defaults and documentation are in the catalogue.</summary>
public sealed record FlowSftOptions : AlignmentBudgetOptions
{
    public required IVideoGenerator Policy { get; set; }

    public required VideoSet Data { get; set; }
}

/// <summary>
/// <c>flow_sft</c>: flow matching on the winners only (<see cref="FlowSftEstimator"/>, made by
/// <c>mlContext.Alignment().FlowSft(options)</c> and fitted here on a data view of the winners), starting from a copy
/// of the policy; produces a generator with the policy's autoencoder and sampler. Per-step metrics go to
/// <c>&lt;run&gt;/&lt;stage&gt;/metrics.jsonl</c>.
/// </summary>
public static class FlowSftStage
{
    public static StageOutput Run(StageContext context, string name, FlowSftEstimator estimator)
    {
        var options = estimator.Options;
        var data = options.Data;
        using var log = StageProgress.OpenMetrics(context, name);
        estimator.Run = StageProgress.Run(context, name, options.Steps, log);
        var generator = estimator.Fit(data.ToDataView(context.MLContextFor(name))).Generator;
        using var trainer = estimator.Trainer!;
        var output = AlignmentStageSupport.Output(name, "flow_sft", generator, trainer, AlignmentStageSupport.Settings(estimator.Run.Seed, options));
        output.Metrics["winners"] = data.Count;
        context.Log($"{name}: SFT on {data.Count} winners, {options.Steps} steps ({output.Metrics["fine_tuning"]}), loss {trainer.Change()}");
        return output;
    }
}

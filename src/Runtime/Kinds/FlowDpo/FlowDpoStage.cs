using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Kinds.FlowDpo;

/// <summary>Options of <c>flow_dpo</c>; defaults and documentation are in the catalogue.</summary>
public sealed record FlowDpoOptions : AlignmentBudgetOptions
{
    public required IVideoGenerator Policy { get; set; }

    public IVideoGenerator? Reference { get; set; }

    public required PreferencePairSet Pairs { get; set; }

    public required DpoBeta Beta { get; set; }
}

/// <summary>
/// <c>flow_dpo</c>: Flow-DPO against a frozen reference (the policy itself unless <c>reference</c> is given) on
/// preference pairs (<see cref="FlowDpoEstimator"/>). Metrics: the loss, the implicit reward margin and the implicit
/// accuracy (start, end and curves; every step in metrics.jsonl).
/// </summary>
public static class FlowDpoStage
{
    public static StageOutput Run(StageContext context, string name, FlowDpoEstimator estimator)
    {
        var options = estimator.Options;
        var beta = options.Beta;
        using var log = StageProgress.OpenMetrics(context, name);
        estimator.Run = StageProgress.Run(context, name, options.Steps, log);
        var settings = AlignmentStageSupport.Settings(estimator.Run.Seed, options);
        var generator = estimator.Fit(options.Pairs.ToDataView()).Generator;
        using var trainer = estimator.Trainer!;
        var output = AlignmentStageSupport.Output(name, "flow_dpo", generator, trainer, settings);
        output.Metrics["beta"] = beta.ToString();
        output.Metrics["pairs"] = estimator.PairsUsed;
        output.Metrics["implicit_accuracy_start"] = trainer.Mean("implicit_accuracy", atStart: true);
        output.Metrics["implicit_accuracy_end"] = trainer.Mean("implicit_accuracy", atStart: false);
        output.Metrics["reward_margin_start"] = trainer.Mean("reward_margin", atStart: true);
        output.Metrics["reward_margin_end"] = trainer.Mean("reward_margin", atStart: false);
        output.Metrics["implicit_accuracy_curve"] = trainer.Curve("implicit_accuracy");
        output.Metrics["reward_margin_curve"] = trainer.Curve("reward_margin");
        context.Log($"{name}: DPO (beta {beta}) on {estimator.PairsUsed} pairs, {settings.Steps} steps ({output.Metrics["fine_tuning"]}), loss {trainer.Change()}, implicit accuracy {trainer.Change("implicit_accuracy")}");
        return output;
    }
}

using Microsoft.ML;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Kinds.FlowDpo;

/// <summary>Options of <c>flow_dpo</c>; defaults and documentation are in the catalogue.</summary>
public sealed class FlowDpoOptions : AlignmentBudgetOptions
{
    public FlowDpoOptions()
        : base("flow_dpo")
    {
    }

    public IVideoGenerator? Policy { get; set; }

    public IVideoGenerator? Reference { get; set; }

    public PreferencePairSet? Pairs { get; set; }

    /// <summary>Case null with Arguments["value"] (constant β), or Case "timestep" with Arguments["beta"] (β_t = β(1 − t)²).</summary>
    public VariantValue Beta { get; set; } = new(null, new Dictionary<string, object>());

}

/// <summary>
/// <c>flow_dpo</c>: Flow-DPO against a frozen reference (the policy itself unless <c>reference</c> is given) on
/// preference pairs (<see cref="FlowDpoEstimator"/>). Metrics: the loss, the implicit reward margin and the implicit
/// accuracy (start, end and curves; every step in metrics.jsonl).
/// </summary>
public static class FlowDpoStage
{
    public static StageOutput Run(StageContext context, string name, FlowDpoOptions options)
    {
        var policy = AlignmentStageSupport.Policy(options.Policy, name);
        var reference = options.Reference is null ? null : AlignmentStageSupport.Policy(options.Reference, name, "reference");
        var pairs = options.Pairs ?? throw RuntimeErrors.Required(name, "pairs");
        var beta = Beta(options.Beta, name);
        var settings = AlignmentStageSupport.Settings(context, name, options);
        using var log = StageProgress.OpenMetrics(context, name);
        var estimator = new FlowDpoEstimator(new MLContext(seed: context.StageSeed(name)), policy, reference, settings, beta, name, log)
        {
            Progress = StageProgress.Every(context, name, settings.Steps),
        };
        var generator = estimator.Fit(pairs).Generator;
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

    /// <summary>The catalogue's β variant: a number, or <c>timestep(beta: B)</c>.</summary>
    public static DpoBeta Beta(VariantValue value, string stage)
    {
        var (key, timestep) = value.Case switch
        {
            null => ("value", false),
            "timestep" => ("beta", true),
            _ => throw RuntimeErrors.InvalidOption(stage, $"beta = {value.Case}(...) is not a form of beta; use a number or timestep(beta)"),
        };
        if (!value.Arguments.TryGetValue(key, out var raw))
        {
            throw RuntimeErrors.InvalidOption(stage, $"beta has no '{key}'");
        }

        return new DpoBeta(Convert.ToDouble(raw, System.Globalization.CultureInfo.InvariantCulture), timestep);
    }
}

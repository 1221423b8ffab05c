using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds;

/// <summary><c>lora = { rank: 64, alpha: 128 }</c> of the aligners; null (not written) means full fine-tuning.</summary>
public sealed record LoraOptions
{
    public required int Rank { get; set; }

    public required double Alpha { get; set; }
}

/// <summary>The budget every aligner declares (<c>steps</c>, <c>batch</c>, <c>lr</c>, <c>cfg_dropout</c>, <c>lora</c>).</summary>
public abstract record AlignmentBudgetOptions : StageOptions
{
    public required int Steps { get; set; }

    public required int Batch { get; set; }

    public required double Lr { get; set; }

    public required double CfgDropout { get; set; }

    public LoraOptions? Lora { get; set; }
}

/// <summary>What the aligner stages share: the policy check, the budget, and the metrics every aligner reports.</summary>
internal static class AlignmentStageSupport
{
    public static FlowGeneratorModel Policy(IVideoGenerator policy, string stage, string property = "policy") => policy switch
    {
        FlowGeneratorModel flow => flow,
        _ => throw RuntimeErrors.InvalidOption(stage, $"{property} is a {policy.GetType().Name}; this stage needs a trained flow generator (a flow_generator, an aligner or a classifier_free stage)"),
    };

    /// <summary>The budget as the trainer takes it, with the stage's seed.</summary>
    public static AlignmentSettings Settings(long seed, AlignmentBudgetOptions options) =>
        new(options.Steps, options.Batch, options.Lr, options.Lora is { } lora ? new LoraSettings(lora.Rank, lora.Alpha) : null, seed)
        {
            CfgDropout = options.CfgDropout,
        };

    /// <summary>The stage's output with the shared metrics: mode, trained values, steps, the loss at the start and end and its curve.</summary>
    public static StageOutput Output(string stage, string kind, FlowGeneratorModel generator, Trainer trainer, AlignmentSettings settings)
    {
        var output = new StageOutput(stage, kind, generator);
        output.Metrics["fine_tuning"] = settings.Lora is { } l ? $"lora rank {l.Rank} alpha {l.Alpha}" : "full";
        output.Metrics["trainable_values"] = trainer.TrainableCount;
        output.Metrics["steps"] = settings.Steps;
        output.Metrics["batch"] = settings.Batch;
        output.Metrics["lr"] = settings.LearningRate;
        output.Metrics["cfg_dropout"] = settings.CfgDropout;
        output.Metrics["loss_start"] = trainer.Mean("loss", atStart: true);
        output.Metrics["loss_end"] = trainer.Mean("loss", atStart: false);
        output.Metrics["loss_curve"] = trainer.Curve("loss");
        output.Metrics["metrics_log"] = $"{stage}/{StageMetricsLog.FileName}";
        return output;
    }
}

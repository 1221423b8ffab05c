using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Kinds.ClassifierFree;

/// <summary>Options of <c>classifier_free</c>; defaults and documentation are in the catalogue.</summary>
public sealed record ClassifierFreeOptions : StageOptions
{
    public required IVideoGenerator Generator { get; set; }

    public required double Scale { get; set; }

    /// <summary>The guide's own Euler steps; null: the generator's.</summary>
    public int? SamplingSteps { get; set; }
}

/// <summary>
/// <c>classifier_free</c>: the same velocity network sampled at another classifier-free guidance scale. Aligning and
/// guiding harder both sharpen the generator towards its better videos (docs/alignment.md, "Alignment and
/// classifier-free guidance"), so a win rate against the pretrained model means more beside the pretrained model at a
/// higher scale. Nothing is trained; the stage cache stores the result like any generator.
/// </summary>
public static class ClassifierFreeStage
{
    public static StageOutput Run(StageContext context, string name, ClassifierFreeOptions options)
    {
        var generator = AlignmentStageSupport.Policy(options.Generator, name, "generator");
        var steps = options.SamplingSteps ?? generator.SamplingSteps;
        var output = new StageOutput(name, "classifier_free", generator.WithSampling(steps, options.Scale));
        output.Metrics["cfg_scale"] = options.Scale;
        output.Metrics["generator_cfg_scale"] = generator.CfgScale;
        context.Log($"{name}: sampled at guidance scale {options.Scale} (the generator's own: {generator.CfgScale}) in {steps} Euler steps");
        return output;
    }
}

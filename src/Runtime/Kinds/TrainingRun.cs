using Pipeline.Runtime.Torch;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// What one fit of an estimator takes from the stage that runs it, beside the estimator's options: the stage's seed
/// (of the weights, minibatches, noise and times), its name (errors and logs carry it), its per-step metrics log and
/// its progress callback. The stage sets it (<see cref="StageProgress.Run"/>) before it fits the estimator.
/// </summary>
public sealed record TrainingRun(long Seed, string Stage, StageMetricsLog? Log = null, Action<int, float>? Progress = null)
{
    /// <summary>
    /// Where the networks train: the run's device (<see cref="StageProgress.Training"/>). The aligners train on their
    /// policy's device instead, which holds the network they copy.
    /// </summary>
    public Device Device { get; init; } = CPU;

    /// <summary>The weights the network starts from (the stage's <c>init</c>) instead of the seeded random initialisation; null: none.</summary>
    public GivenWeights? Init { get; init; }

    /// <summary>The run an estimator was given, or the error of fitting one that was given none.</summary>
    public static TrainingRun Required(TrainingRun? run, string estimator) =>
        run ?? throw new InvalidOperationException($"{estimator}: set Run (the stage's seed and name) before Fit");
}

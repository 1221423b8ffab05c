using Pipeline.Runtime.Torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// What one fit of an estimator takes from the stage that runs it, beside the estimator's options: the stage's seed
/// (of the weights, minibatches, noise and times), its name (errors and logs carry it), its per-step metrics log and
/// its progress callback. The stage sets it (<see cref="StageProgress.Run"/>) before it fits the estimator.
/// </summary>
public sealed record TrainingRun(long Seed, string Stage, StageMetricsLog? Log = null, Action<int, float>? Progress = null);

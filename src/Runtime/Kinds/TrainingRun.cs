using Pipeline.Runtime.Torch;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// What one fit of an estimator needs from the stage that runs it, beside the estimator's options: the stage's seed (of
/// the weights, minibatches, noise and times), the device, the stage's name (errors and logs carry it), its per-step
/// metrics log and its progress callback. Stages make it with <see cref="StageProgress.Run"/>.
/// </summary>
public sealed record TrainingRun(long Seed, Device Device, string Stage, StageMetricsLog? Log = null, Action<int, float>? Progress = null);

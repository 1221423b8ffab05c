using System.Globalization;
using Pipeline.Runtime.Torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// What training stages report as they train: the step and its loss to the live display or as a plain line about ten
/// times per run, and every step's metrics to the stage's metrics.jsonl and TensorBoard event file
/// (<see cref="StageMetricsLog"/>, written by the <see cref="Trainer"/> it is given to).
/// </summary>
public static class StageProgress
{
    /// <summary>
    /// The stage's metrics log in the run folder, or null (said in the log) when its files cannot be written (another
    /// process holds them, or the folder refuses) — two runs into one folder lose a log, never a stage.
    /// </summary>
    public static StageMetricsLog? OpenMetrics(StageContext context, string stage)
    {
        try
        {
            return StageMetricsLog.ForStage(context.OutputDirectory, stage);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            context.Log($"stage {stage}: metrics.jsonl and the TensorBoard event file not written ({error.Message})");
            return null;
        }
    }

    /// <summary>A fit of the stage's estimator: the stage's seed, its metrics log (opened by the caller) and a progress callback over <paramref name="steps"/>.</summary>
    public static TrainingRun Run(StageContext context, string stage, int steps, StageMetricsLog? log) =>
        new(context.StageSeed(stage), stage, log, Every(context, stage, steps));

    /// <summary>
    /// A fit of a model or reward stage's estimator (they build their networks, unlike the aligners): <see cref="Run"/>'s,
    /// on the run's device, from the stage's given weights (<c>init</c>) when it has some.
    /// </summary>
    public static TrainingRun Training(StageContext context, string stage, int steps, StageMetricsLog? log, GivenWeights? init) =>
        Run(context, stage, steps, log) with { Device = context.Device.Resolve(), Init = init };

    /// <summary>
    /// Progress of a number of items of work (<paramref name="what"/>, e.g. "videos decoded"), safe to call
    /// from several threads with the count done so far and the total: to the live display, or a plain line with the count, the rate
    /// and the time left at most every ten seconds and at the end.
    /// </summary>
    public static Action<int, int> Work(StageContext context, string stage, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var gate = new object();
        var lastLine = TimeSpan.Zero;
        return (done, total) =>
        {
            var elapsed = watch.Elapsed;
            var rate = done / Math.Max(elapsed.TotalSeconds, 1e-9);
            if (context.WorkReporter is { } reporter)
            {
                reporter(new StageWork(stage, what, done, total, rate));
                return;
            }

            lock (gate)
            {
                if (done < total && elapsed - lastLine < TimeSpan.FromSeconds(10))
                {
                    return;
                }

                lastLine = elapsed;
                var left = done < total ? string.Create(CultureInfo.InvariantCulture, $", about {(total - done) / Math.Max(rate, 1e-9):0} s left") : string.Empty;
                context.Log(string.Create(CultureInfo.InvariantCulture, $"stage {stage}: {done}/{total} {what} ({rate:0.0}/s{left})"));
            }
        };
    }

    /// <summary>A trainer's progress callback: each step to the live display, or a plain line about ten times per stage.</summary>
    public static Action<int, float> Every(StageContext context, string stage, int steps)
    {
        var every = Math.Max(1, steps / 10);
        return (step, loss) =>
        {
            if (context.StepReporter is { } reporter)
            {
                reporter(new StageStep(stage, step + 1, steps, loss));
                return;
            }

            if ((step + 1) % every == 0 || step + 1 == steps)
            {
                context.Log(string.Create(CultureInfo.InvariantCulture, $"stage {stage}: step {step + 1}/{steps}, loss {loss:0.00000}"));
            }
        };
    }
}

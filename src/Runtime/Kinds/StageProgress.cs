using System.Globalization;
using Pipeline.Runtime.Torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// Progress lines for training stages: the step and its loss, about ten times per run; with a
/// <see cref="StageMetricsLog"/>, every step's loss also goes to the stage's metrics.jsonl as it trains.
/// </summary>
public static class StageProgress
{
    /// <summary>
    /// The stage's metrics.jsonl in the run folder, or null (said in the log) when another process holds that file —
    /// two runs into one folder lose a log, never a stage.
    /// </summary>
    public static StageMetricsLog? OpenMetrics(StageContext context, string stage)
    {
        try
        {
            return StageMetricsLog.ForStage(context.OutputDirectory, stage);
        }
        catch (IOException error)
        {
            context.Log($"stage {stage}: metrics.jsonl not written ({error.Message})");
            return null;
        }
    }

    public static Action<int, float> Every(StageContext context, string stage, int steps, StageMetricsLog? metrics = null)
    {
        var every = Math.Max(1, steps / 10);
        return (step, loss) =>
        {
            metrics?.Write(step, new Dictionary<string, double> { ["loss"] = loss });
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

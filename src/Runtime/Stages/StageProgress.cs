using System.Globalization;
using Pipeline.Runtime.Experiments;

namespace Pipeline.Runtime.Stages;

/// <summary>Progress lines for training stages: the step and its loss, about ten times per run.</summary>
public static class StageProgress
{
    public static Action<int, float> Every(RunContext context, string stage, int steps)
    {
        var every = Math.Max(1, steps / 10);
        return (step, loss) =>
        {
            if ((step + 1) % every == 0 || step + 1 == steps)
            {
                context.Log(string.Create(CultureInfo.InvariantCulture, $"stage {stage}: step {step + 1}/{steps}, loss {loss:0.00000}"));
            }
        };
    }
}

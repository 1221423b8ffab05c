using Pipeline.Runtime.Execution;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary>
/// Progress of a run. In a terminal: a live Spectre.Console display with one bar per training stage (step, loss,
/// device, time left) and per stage decoding videos (count, rate, time left). When stdout is redirected, or with <c>--quiet</c>: plain lines, about ten per stage, which
/// logs and CI keep readable. Either way each stage's metrics.jsonl is written as it trains.
/// </summary>
internal static class LiveProgress
{
    public static bool IsLive(bool quiet) => !quiet && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>A log line that the live display keeps above its bars.</summary>
    public static void WriteLine(string line) => AnsiConsole.WriteLine(line);

    public static T Run<T>(RunContext run, string device, Func<T> body)
    {
        return AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                run.StepReporter = step =>
                {
                    if (!tasks.TryGetValue(step.Stage, out var task))
                    {
                        task = progress.AddTask(Markup.Escape(step.Stage), maxValue: step.Steps);
                        tasks[step.Stage] = task;
                    }

                    task.Description = Markup.Escape(FormattableString.Invariant($"{step.Stage}  step {step.Step}/{step.Steps}  loss {step.Loss:0.0000}  [{device}]"));
                    task.Value = step.Step;
                };

                // Work other than training (decoding videos) reports from several threads at once.
                run.WorkReporter = work =>
                {
                    lock (tasks)
                    {
                        var key = work.Stage + "\n" + work.What;
                        if (!tasks.TryGetValue(key, out var task))
                        {
                            task = progress.AddTask(Markup.Escape(work.Stage), maxValue: Math.Max(1, work.Total));
                            tasks[key] = task;
                        }

                        task.Description = Markup.Escape(FormattableString.Invariant($"{work.Stage}  {work.Done}/{work.Total} {work.What}  {work.PerSecond:0.0}/s"));
                        task.Value = work.Done;
                    }
                };
                try
                {
                    return body();
                }
                finally
                {
                    run.StepReporter = null;
                    run.WorkReporter = null;
                }
            });
    }
}

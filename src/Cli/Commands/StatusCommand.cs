using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Pipeline.Cli.Cluster;
using Pipeline.Cli.Registry;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline status RUN</c>: each stage of a run, with the Slurm state of the job that computes it beside what the
/// registry records. For a submitted run this is also where the registry learns how the run ended: the jobs never
/// write it (docs/cluster.md), so once every job has ended, status records the run as succeeded (with the metrics of
/// its results.json) or failed (naming the job and its log).
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var run = new Argument<long>("run") { Description = "A run id (pipeline runs lists them)." };
        var command = new Command("status", "Show each stage of a run: its Slurm job state beside the registry's record.");
        command.Arguments.Add(run);
        command.SetAction(parsed => Show(parsed.GetValue(run), Console.Out));
        return command;
    }

    public static int Show(long id, TextWriter output)
    {
        using var registry = RunRegistry.OpenDefault();
        registry.MarkAbandoned(DateTime.UtcNow);
        var run = registry.Find(id) ?? throw CompareCommand.UnknownRun(id, registry);
        var jobs = registry.SlurmJobs(id).ToDictionary(j => j.Stage, StringComparer.Ordinal);
        var states = jobs.Values.ToDictionary(j => j.Stage, j => Slurm.State(j.JobId), StringComparer.Ordinal);
        if (jobs.Count > 0 && run.Status == RunStatus.Running)
        {
            run = Conclude(registry, run, jobs, states, output);
        }

        output.WriteLine($"run {run.Id}: {run.Experiment}, {RunRegistry.Name(run.Status)}{(run.Error is { } error ? $" ({error})" : "")}");
        output.WriteLine($"output: {run.OutputDirectory}");
        if (jobs.Count == 0)
        {
            output.WriteLine("not submitted to Slurm (a pipeline run); the registry's record:");
        }

        output.WriteLine($"{"stage",-16}  {"kind",-16}  {"slurm job",-10}  {"slurm state",-28}  registry");
        foreach (var stage in run.Stages.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var (job, state) = jobs.TryGetValue(stage.Name, out var record)
                ? (record.JobId, Describe(states[stage.Name]))
                : ("-", jobs.Count == 0 ? "-" : JobGraph.HasJob(stage.Kind) ? "no job: was cached" : "no job: rebuilt in each job");
            output.WriteLine($"{stage.Name,-16}  {stage.Kind,-16}  {job,-10}  {state,-28}  {Registry(stage)}");
        }

        if (jobs.TryGetValue(RunRegistry.ResultsJob, out var results))
        {
            output.WriteLine($"{RunRegistry.ResultsJob,-16}  {"results.json",-16}  {results.JobId,-10}  {Describe(states[results.Stage]),-28}  {(run.Status == RunStatus.Succeeded ? "metrics recorded" : "-")}");
        }

        foreach (var job in jobs.Values.Where(j => states[j.Stage] is { IsFinal: true, State: not "COMPLETED" }))
        {
            output.WriteLine($"log of {job.Stage} (job {job.JobId}): {job.Log}");
        }

        return CommandHost.Success;
    }

    /// <summary>
    /// Ends a submitted run in the registry once Slurm is done with it: succeeded when its results job completed and
    /// left results.json, failed when any job ended otherwise. A job slurmctld has forgotten (MinJobAge after it ended)
    /// counts as done, and then results.json decides.
    /// </summary>
    private static RunRecord Conclude(RunRegistry registry, RunRecord run, Dictionary<string, SlurmJobRecord> jobs, Dictionary<string, SlurmJobState?> states, TextWriter output)
    {
        if (states.Values.Any(s => s is { IsFinal: false }))
        {
            return run;
        }

        var failed = jobs.Values.FirstOrDefault(j => states[j.Stage] is { State: not "COMPLETED" });
        var resultsFile = Path.Combine(run.OutputDirectory, "results.json");
        if (failed is null && File.Exists(resultsFile))
        {
            var json = File.ReadAllText(resultsFile);
            // The run ended when its results job wrote results.json, not when status was asked.
            registry.Finish(run.Id, RunStatus.Succeeded, File.GetLastWriteTimeUtc(resultsFile), null, Stages(run, json), json);
        }
        else
        {
            var why = failed is not null
                ? $"Slurm job {failed.JobId} ({failed.Stage}) ended {states[failed.Stage]!.State} ({states[failed.Stage]!.Reason}); log: {failed.Log}"
                : $"its jobs ended without writing {resultsFile}";
            registry.Finish(run.Id, RunStatus.Failed, DateTime.UtcNow, why, [], null);
        }

        var concluded = registry.Find(run.Id)!;
        output.WriteLine($"registry: run {run.Id} recorded as {RunRegistry.Name(concluded.Status)}");
        return concluded;
    }

    /// <summary>How each stage ran, from the results.json the results job wrote.</summary>
    private static IReadOnlyList<RunStage> Stages(RunRecord run, string resultsJson)
    {
        var stages = JsonNode.Parse(resultsJson)?["stages"] as JsonObject;
        return run.Stages.Select(s => stages?[s.Name] is JsonObject entry
            ? s with { Cached = entry["cached"]?.GetValue<bool>(), ResumedFromStep = entry["resumed_from_step"]?.GetValue<long?>(), Seconds = entry["seconds"]?.GetValue<double>() }
            : s).ToArray();
    }

    private static string Describe(SlurmJobState? state) => state switch
    {
        null => "ended (no longer in slurmctld)",
        { State: "PENDING" } => $"PENDING ({state.Reason})",
        { Restarts: > 0 } => $"{state.State}, requeued {state.Restarts}x",
        { IsFinal: true, State: not "COMPLETED" } => $"{state.State} (exit {state.ExitCode})",
        _ => state.State,
    };

    private static string Registry(RunStage stage) => stage switch
    {
        { Cached: true } => "cached",
        { Seconds: { } seconds, ResumedFromStep: { } step } => string.Create(CultureInfo.InvariantCulture, $"ran {seconds:0.0} s, resumed at step {step}"),
        { Seconds: { } seconds } => string.Create(CultureInfo.InvariantCulture, $"ran {seconds:0.0} s"),
        _ => "-",
    };
}

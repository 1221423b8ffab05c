using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Cli.Registry;

/// <summary>
/// Records one <c>pipeline run</c> in the <see cref="RunRegistry"/>: "running" when it starts, then succeeded, failed
/// or — on SIGINT or SIGTERM — interrupted. The registry is a record, not part of the run: when it cannot be written
/// the run says so in one line and goes on.
/// </summary>
internal sealed class RunRecorder : IDisposable
{
    private readonly object gate = new();
    private readonly RunRegistry? registry;
    private readonly Action<string> log;
    private readonly List<PosixSignalRegistration> signals = new();
    private bool finished;

    private RunRecorder(RunRegistry? registry, long id, Action<string> log)
    {
        this.registry = registry;
        Id = id;
        this.log = log;
        if (registry is not null)
        {
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                // The handler records the interruption; the signal's default action (ending the process) then runs.
                signals.Add(PosixSignalRegistration.Create(signal, _ => Finish(RunStatus.Interrupted, $"stopped by {signal}", [], null)));
            }
        }
    }

    public long Id { get; }

    /// <summary>
    /// <c>off</c>: record nothing. Set in the jobs of <c>pipeline submit --slurm</c>, whose registry would sit on a
    /// network filesystem that SQLite cannot lock safely; the submitting host records those runs (docs/cluster.md).
    /// </summary>
    public const string Variable = "PIPELINE_REGISTRY";

    public static RunRecorder Start(RunStart run, Action<string> log)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "off", StringComparison.Ordinal))
        {
            log($"run registry not written here ({Variable}=off: the submitting host records this run)");
            return new RunRecorder(null, 0, log);
        }

        RunRegistry? registry = null;
        try
        {
            registry = RunRegistry.OpenDefault();
            registry.MarkAbandoned(DateTime.UtcNow);
            var id = registry.Start(run, DateTime.UtcNow);
            log($"run {id} recorded in {registry.Path}");
            return new RunRecorder(registry, id, log);
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException or PipelineException)
        {
            registry?.Dispose();
            log($"run registry not written ({error.Message})");
            return new RunRecorder(null, 0, log);
        }
    }

    public void Succeeded(RunResult result, string resultsJson) => Finish(RunStatus.Succeeded, null, Stages(result.Info, result.Stages), resultsJson);

    public void Failed(ExperimentInfo info, IReadOnlyDictionary<string, StageOutput> completed, Exception error) =>
        Finish(RunStatus.Failed, error.Message, Stages(info, completed), null);

    public static IReadOnlyList<RunStage> Stages(ExperimentInfo info, IReadOnlyDictionary<string, StageOutput> outputs) =>
        info.Stages.Select(s => outputs.TryGetValue(s.Name, out var o)
            ? new RunStage(s.Name, s.Kind, s.Hash, o.Cached, o.ResumedFromStep, o.Seconds)
            : new RunStage(s.Name, s.Kind, s.Hash)).ToArray();

    private void Finish(RunStatus status, string? error, IReadOnlyList<RunStage> stages, string? resultsJson)
    {
        lock (gate)
        {
            if (registry is null || finished)
            {
                return;
            }

            finished = true;
            try
            {
                registry.Finish(Id, status, DateTime.UtcNow, error, stages, resultsJson);
            }
            catch (Exception failure) when (failure is SqliteException or IOException or UnauthorizedAccessException)
            {
                log($"run registry not updated for run {Id} ({failure.Message})");
            }
        }
    }

    public void Dispose()
    {
        foreach (var signal in signals)
        {
            signal.Dispose();
        }

        lock (gate)
        {
            // A run that ends without Succeeded or Failed (an exception no one expected) was not a success.
            Finish(RunStatus.Failed, "the run ended without a result", [], null);
            registry?.Dispose();
        }
    }
}

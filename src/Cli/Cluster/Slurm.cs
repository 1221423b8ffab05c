using System.ComponentModel;
using System.Diagnostics;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Cluster;

/// <summary>What Slurm says of one job (or array task) now.</summary>
/// <param name="State">PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED, …</param>
/// <param name="Reason">Why it waits (Dependency, Resources) or why it ended (NonZeroExitCode, DependencyNeverSatisfied).</param>
/// <param name="ExitCode">The batch script's exit code and signal, <c>CODE:SIGNAL</c>.</param>
/// <param name="Restarts">How often it was requeued.</param>
internal sealed record SlurmJobState(string State, string Reason, string ExitCode, int Restarts)
{
    /// <summary>States after which the job never runs again (a requeued job goes back to PENDING instead).</summary>
    public bool IsFinal => State is not ("PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESIZING" or "SUSPENDED" or "STOPPED" or "SIGNALING" or "STAGE_OUT");
}

/// <summary>
/// The Slurm client commands the CLI uses: sbatch to submit, scancel to take back a half-submitted graph, and
/// <c>scontrol show job</c> for states (sacct needs accounting storage, which many small clusters leave off; scontrol
/// knows a job from submission until MinJobAge after it ends). They read SLURM_CONF like any Slurm command.
/// </summary>
internal static class Slurm
{
    /// <summary>Submits a script; returns the job id (sbatch --parsable prints <c>ID</c> or <c>ID;CLUSTER</c>).</summary>
    public static string Submit(string script, string? dependency)
    {
        var arguments = new List<string> { "--parsable" };
        if (dependency is not null)
        {
            arguments.Add("--dependency=" + dependency);
        }

        arguments.Add(script);
        var (code, output, error) = Run("sbatch", arguments);
        var id = output.Trim().Split(';')[0];
        if (code != 0 || !long.TryParse(id, out _))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.SlurmSubmitFailed, $"sbatch refused {script}: {FirstLine(error + output)}");
        }

        return id;
    }

    /// <summary>Cancels jobs (best effort: they are being taken back after a failure that is reported already).</summary>
    public static void Cancel(IEnumerable<string> jobIds)
    {
        var ids = jobIds.ToArray();
        if (ids.Length > 0)
        {
            Run("scancel", ids);
        }
    }

    /// <summary>The job's state, or null when slurmctld no longer knows it (it ended more than MinJobAge ago).</summary>
    public static SlurmJobState? State(string jobId)
    {
        var (code, output, error) = Run("scontrol", ["show", "job", "-o", jobId]);
        if (code != 0)
        {
            if ((error + output).Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            throw new PipelineException(RuntimeDiagnosticCodes.SlurmUnavailable, $"scontrol show job {jobId} failed: {FirstLine(error + output)}");
        }

        // One line of KEY=VALUE words per job; an array not yet split into tasks is one line for all of them.
        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        string Field(string key) => fields.TryGetValue(key, out var value) ? value : "";
        return new SlurmJobState(Field("JobState"), Field("Reason"), Field("ExitCode"), int.TryParse(Field("Restarts"), out var restarts) ? restarts : 0);
    }

    private static (int Code, string Output, string Error) Run(string tool, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
        catch (Win32Exception)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.SlurmUnavailable, $"{tool} is not installed here (not on PATH); run on a Slurm login node, or see the jobs without submitting them with --dry-run.");
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
}

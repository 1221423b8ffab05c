using System.Text.RegularExpressions;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Cluster;

/// <summary>The scheduler options of <c>pipeline submit</c> as given, and their checks (each failure one coded error).</summary>
internal sealed partial record SubmitOptions(bool Slurm, string? Partition, int? GpusPerTask, string? Time, string? SharedDirectory, int? CpusPerTask = null)
{
    /// <summary>Checks the options' form, before anything is compiled or submitted.</summary>
    public void Validate()
    {
        if (!Slurm)
        {
            throw Invalid("pipeline submit needs a scheduler: add --slurm (Slurm is the only one supported).");
        }

        if (Partition is { } partition && !PartitionPattern().IsMatch(partition))
        {
            throw Invalid($"--partition '{partition}' is not a partition name (letters, digits, '_', '-', '.'; several separated by commas).");
        }

        if (GpusPerTask is < 0)
        {
            throw Invalid($"--gpus-per-task takes 0 or more GPUs, not {GpusPerTask}.");
        }

        if (CpusPerTask is < 1)
        {
            throw Invalid($"--cpus-per-task takes 1 or more CPUs, not {CpusPerTask}.");
        }

        if (Time is { } time && !TimePattern().IsMatch(time))
        {
            throw Invalid($"--time '{time}' is not a Slurm time limit; write minutes (90), HH:MM:SS (1:30:00), D-HH (2-0) or D-HH:MM:SS.");
        }

        if (string.IsNullOrWhiteSpace(SharedDirectory))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.SharedDirInvalid, "--shared-dir is required: a folder every node sees at the same path (the jobs share their stage cache, logs and results there).");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(SharedDirectory) > MaxPathBytes || SharedDirectory.Split('/').Any(p => System.Text.Encoding.UTF8.GetByteCount(p) > MaxNameBytes))
        {
            // Linux's PATH_MAX and NAME_MAX: no such folder can exist, and every job's log path would be refused.
            throw new PipelineException(RuntimeDiagnosticCodes.SharedDirInvalid, $"--shared-dir is longer than a path can be ({MaxPathBytes} bytes, {MaxNameBytes} per folder name); choose a shorter path.");
        }

        if (SharedDirectory.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '%'))
        {
            // sbatch reads #SBATCH lines as words and expands % in --output: such a path cannot be written there.
            throw new PipelineException(RuntimeDiagnosticCodes.SharedDirInvalid, $"--shared-dir '{SharedDirectory}' contains a space, quote or '%', which #SBATCH lines cannot carry; choose a plain path.");
        }
    }

    /// <summary>
    /// GPUs per job from the experiment's device: cuda or cuda:N needs them (N + 1 for cuda:N); cpu must have none, since
    /// they would sit idle; auto takes what --gpus-per-task gives (none by default) and uses CUDA when it finds some.
    /// </summary>
    public int Gpus(string device)
    {
        if (device == "cpu")
        {
            return GpusPerTask is > 0
                ? throw Invalid($"the experiment runs on the cpu (device = cpu), so --gpus-per-task {GpusPerTask} would hold GPUs it never uses; drop the option, or set device = cuda.")
                : 0;
        }

        if (device.StartsWith("cuda", StringComparison.Ordinal))
        {
            var needed = device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device[5..], out var index) ? index + 1 : 1;
            return GpusPerTask is { } given && given < needed
                ? throw Invalid($"the experiment runs on {device}, which needs at least {Wording.Count(needed, "GPU")} per job, not --gpus-per-task {given}.")
                : GpusPerTask ?? needed;
        }

        return GpusPerTask ?? 0;
    }

    private const int MaxPathBytes = 4096;
    private const int MaxNameBytes = 255;

    private static PipelineException Invalid(string message) => new(RuntimeDiagnosticCodes.SubmitOptionInvalid, message);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(,[A-Za-z0-9_.\-]+)*$")]
    private static partial Regex PartitionPattern();

    // Slurm's forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, and UNLIMITED / INFINITE.
    [GeneratedRegex(@"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$")]
    private static partial Regex TimePattern();
}

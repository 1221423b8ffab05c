using System.Globalization;

namespace Pipeline.Runtime.Data.Store;

/// <summary>How many videos are decoded at once: one ffmpeg process per core this process may use.</summary>
public static class DecodeWorkers
{
    /// <summary>
    /// The cores available: .NET's processor count (which already follows the CPU affinity and the cgroup's CPU
    /// limit) and, in a Slurm job, no more than <c>--cpus-per-task</c> (<c>SLURM_CPUS_PER_TASK</c>) or
    /// <c>OMP_NUM_THREADS</c> (which <c>pipeline submit</c>'s jobs set to it), whichever is smaller.
    /// </summary>
    public static int Available() => Available(Environment.ProcessorCount, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Available()"/> with the processor count and the environment given (for tests).</summary>
    public static int Available(int processors, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var count = Math.Max(1, processors);
        if (string.IsNullOrEmpty(environment("SLURM_JOB_ID")))
        {
            return count;
        }

        foreach (var variable in new[] { "SLURM_CPUS_PER_TASK", "OMP_NUM_THREADS" })
        {
            if (int.TryParse(environment(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
            {
                count = Math.Min(count, limit);
            }
        }

        return count;
    }
}

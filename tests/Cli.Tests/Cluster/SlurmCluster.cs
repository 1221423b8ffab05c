using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Cluster;

/// <summary>
/// A real single-node Slurm (slurmctld, slurmd and a private munged) on loopback, started by
/// <c>scripts/slurm-cluster.sh start</c> in a temporary folder and stopped, by the pids in its pid files, on dispose.
/// A cluster that cannot start fails the test that asked for it: a skipped cluster test would prove nothing.
/// </summary>
internal sealed class SlurmCluster : IDisposable
{
    private readonly TempFolder folder = new("pipeline-slurm-");

    private SlurmCluster()
    {
    }

    /// <summary>The cluster's slurm.conf: SLURM_CONF for every Slurm command (and `pipeline submit`, `status`).</summary>
    public string Conf => folder.File("slurm.conf");

    public IDictionary<string, string?> Environment => new Dictionary<string, string?> { ["SLURM_CONF"] = Conf };

    public static SlurmCluster Start()
    {
        var cluster = new SlurmCluster();
        var started = ProcessRunner.Run("bash", [Script, "start", cluster.folder.Path], timeoutSeconds: 300);
        if (started.ExitCode != 0)
        {
            cluster.Dispose();
            Assert.Fail($"could not start a single-node Slurm cluster with scripts/slurm-cluster.sh (exit {started.ExitCode}); this test needs slurm-wlm and munge (apt, as root):\n{started.All}");
        }

        return cluster;
    }

    /// <summary>Runs a Slurm client command (squeue, scontrol) against this cluster.</summary>
    public ProcessRunner.Result Command(string tool, params string[] arguments) =>
        ProcessRunner.Run(tool, arguments, environment: Environment, timeoutSeconds: 60);

    /// <summary>Waits until the queue is empty (every job ended); false when <paramref name="timeout"/> passed first.</summary>
    public bool WaitUntilIdle(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var queue = Command("squeue", "-h", "-o", "%i %T");
            if (queue.ExitCode == 0 && queue.StandardOutput.Trim().Length == 0)
            {
                return true;
            }

            Thread.Sleep(2000);
        }

        return false;
    }

    /// <summary>slurmctld's and slurmd's logs, for a failure message.</summary>
    public string Logs() => string.Join("\n", new[] { "slurmctld.log", "slurmd.log" }
        .Where(f => File.Exists(folder.File(f)))
        .Select(f => $"--- {f}\n{string.Join('\n', File.ReadAllLines(folder.File(f)).TakeLast(30))}"));

    public void Dispose()
    {
        ProcessRunner.Run("bash", [Script, "stop", folder.Path], timeoutSeconds: 60);
        folder.Dispose();
    }

    private static string Script => Path.Combine(RepoPaths.Root, "scripts", "slurm-cluster.sh");
}

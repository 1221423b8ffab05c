using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.Cluster;

/// <summary>
/// <c>pipeline submit --slurm</c> against a real Slurm (a single-node cluster, scripts/slurm-cluster.sh): a two-point
/// sweep runs as jobs and gives, point by point, the results.json of a local <c>pipeline run</c> of the same sweep,
/// apart from timings; <c>pipeline status</c> then shows every job completed and records the runs as succeeded. The
/// small chain runs in the normal suite; the smoke example (13 stages, 15 jobs) is a slow test.
/// </summary>
public sealed partial class SlurmSubmitTests(ITestOutputHelper log)
{
    private static string Chain => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "cached.pipe");

    private static string Smoke => Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe");

    [Fact]
    public Task A_two_point_sweep_of_a_small_chain_gives_the_results_of_a_local_run() =>
        SubmitAndCompare(Chain, "gen.width=sweep [8, 12]");

    [Fact]
    [Trait("Category", "Slow")]
    public Task A_two_point_sweep_of_the_smoke_example_gives_the_results_of_a_local_run() =>
        SubmitAndCompare(Smoke, "dpo.beta=sweep [500, 1000]");

    [Fact]
    public async Task A_replicate_set_runs_as_job_arrays_and_gives_the_results_of_a_local_run()
    {
        var experiment = Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "evidence.pipe");
        using var cluster = SlurmCluster.Start();
        using var shared = new TempFolder();
        using var submitCache = new TempFolder();
        using var localCache = new TempFolder();
        using var localRuns = new TempFolder();

        var submitted = PipelineCli.Run(["submit", experiment, "--set", "replicates=2", "--slurm", "--shared-dir", shared.Path, "--time", "20", "--cpus-per-task", "2"], submitCache.Path, environment: cluster.Environment);
        Assert.True(submitted.ExitCode == 0, submitted.All);
        Assert.Contains("replicates: 2 seeds", submitted.StandardOutput);
        Assert.Matches(@"\s+gen\s+array 0-1", submitted.StandardOutput);
        Assert.Matches(@"\s+replicates\s+the replicate set\s+after afterok:\d+", submitted.StandardOutput);
        var runs = RunLine().Matches(submitted.StandardOutput).Select(m => m.Groups[2].Value).ToArray();
        Assert.True(runs.Length == 2 && runs[1].EndsWith("seed-6", StringComparison.Ordinal), submitted.All);

        var local = PipelineCli.Run(["run", experiment, "--set", "replicates=2", "--out", localRuns.Path, "--quiet"], localCache.Path);
        Assert.True(local.ExitCode == 0, local.All);
        Assert.True(cluster.WaitUntilIdle(TimeSpan.FromMinutes(10)), "the jobs did not finish within 10 minutes\n" + JobLogs(shared.Path) + cluster.Logs());
        foreach (var seed in new[] { 5, 6 })
        {
            var expected = WithoutTimings(Path.Combine(localRuns.Path, $"seed-{seed}", "results.json"));
            var actual = WithoutTimings(Path.Combine(Path.GetDirectoryName(runs[0])!, $"seed-{seed}", "results.json"));
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        // The set's own results.json (no timings in it) is the local one byte for byte.
        var set = Path.Combine(Path.GetDirectoryName(runs[0])!, "results.json");
        Assert.True(File.Exists(set), JobLogs(shared.Path));
        Assert.Equal(File.ReadAllText(Path.Combine(localRuns.Path, "results.json")), File.ReadAllText(set));
    }

    private async Task SubmitAndCompare(string experiment, string sweep)
    {
        var watch = Stopwatch.StartNew();
        using var cluster = SlurmCluster.Start();
        using var shared = new TempFolder();
        using var submitCache = new TempFolder();
        using var localCache = new TempFolder();
        using var localRuns = new TempFolder();

        var submitted = PipelineCli.Run(["submit", experiment, "--set", sweep, "--slurm", "--shared-dir", shared.Path, "--time", "20", "--cpus-per-task", "2"], submitCache.Path, environment: cluster.Environment);
        Assert.True(submitted.ExitCode == 0, submitted.All);
        var runs = RunLine().Matches(submitted.StandardOutput).Select(m => (Id: m.Groups[1].Value, Output: m.Groups[2].Value)).ToArray();
        Assert.True(runs.Length == 2, submitted.All);
        Assert.Contains("aftercorr:", submitted.StandardOutput);

        // The local run shares the cores with the jobs; neither's numbers depend on the other's timing.
        var local = Task.Run(() => PipelineCli.Run(["run", experiment, "--set", sweep, "--out", localRuns.Path, "--quiet"], localCache.Path));
        var idle = cluster.WaitUntilIdle(TimeSpan.FromMinutes(12));
        var localResult = await local;
        Assert.True(localResult.ExitCode == 0, localResult.All);
        Assert.True(idle, "the jobs did not finish within 12 minutes\n" + JobLogs(shared.Path) + cluster.Logs());

        for (var point = 0; point < runs.Length; point++)
        {
            var status = PipelineCli.Run(["status", runs[point].Id], submitCache.Path, environment: cluster.Environment);
            Assert.True(status.ExitCode == 0 && status.StandardOutput.Contains($"run {runs[point].Id}: {Path.GetFileNameWithoutExtension(experiment).Replace('-', '_')}, succeeded"), status.All + JobLogs(shared.Path));
            Assert.DoesNotContain("FAILED", status.StandardOutput);
            Assert.Matches(@"\(results\)\s+results\.json\s+\d+_\d\s+COMPLETED", status.StandardOutput);
            log.WriteLine(status.StandardOutput);

            var expected = WithoutTimings(Path.Combine(localRuns.Path, $"point-{point}", "results.json"));
            var actual = WithoutTimings(Path.Combine(runs[point].Output, "results.json"));
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        var listed = PipelineCli.Run(["runs"], submitCache.Path);
        Assert.Equal(2, Regex.Matches(listed.StandardOutput, @"\s+succeeded\s+").Count);
        log.WriteLine($"cluster start, submit, jobs, local run and checks: {watch.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>results.json without its timings: the only fields two identical CPU runs may differ in (contracts.md).</summary>
    internal static JsonObject WithoutTimings(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        foreach (var (_, stage) in root["stages"]!.AsObject())
        {
            stage!.AsObject().Remove("seconds");
        }

        return root;
    }

    /// <summary>The tail of every job's log, for a failure message.</summary>
    internal static string JobLogs(string shared) => string.Join("\n", Directory.EnumerateFiles(shared, "*.log", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(f => $"--- {f}\n{string.Join('\n', File.ReadAllLines(f).TakeLast(15))}"));

    [GeneratedRegex(@"^run (\d+): (\S+) \(pipeline status \d+\)$", RegexOptions.Multiline)]
    internal static partial Regex RunLine();
}

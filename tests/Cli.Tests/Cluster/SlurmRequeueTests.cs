using System.Text.Json.Nodes;
using Pipeline.Tests.Shared;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.Cluster;

/// <summary>
/// A requeued job (what a preempting scheduler does) resumes its stage from the checkpoint in the shared cache: the
/// job of a training stage is requeued with <c>scontrol requeue</c> after its first checkpoints, runs again, logs
/// <c>resumed gen at step k</c>, and the run ends with the metrics of an uninterrupted local run. Slow, because Slurm
/// holds a requeued job for about two minutes before it may start again.
/// </summary>
public sealed class SlurmRequeueTests(ITestOutputHelper log)
{
    private static string Chain => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "cached.pipe");

    [Fact]
    [Trait("Category", "Slow")]
    public void A_requeued_stage_resumes_from_its_checkpoint_and_gives_the_uninterrupted_results()
    {
        using var cluster = SlurmCluster.Start();
        using var shared = new TempFolder();
        using var submitCache = new TempFolder();
        using var localCache = new TempFolder();
        using var localRun = new TempFolder();
        const string steps = "gen.pretrain={ data: world.videos, steps: 60, lr: 1e-3, batch: 8 }";

        // The jobs inherit the submitting environment (sbatch's default): a checkpoint after every step, and slow steps
        // so that the requeue lands in the middle of training.
        var environment = new Dictionary<string, string?>(cluster.Environment) { ["PIPELINE_CHECKPOINT_EVERY"] = "1", ["PIPELINE_FAULTS"] = "step_delay_ms=250" };
        var submitted = PipelineCli.Run(["submit", Chain, "--set", steps, "--slurm", "--shared-dir", shared.Path], submitCache.Path, environment: environment);
        Assert.True(submitted.ExitCode == 0, submitted.All);
        var run = SlurmSubmitTests.RunLine().Match(submitted.StandardOutput);
        Assert.True(run.Success, submitted.All);
        var genJob = System.Text.RegularExpressions.Regex.Match(submitted.StandardOutput, @"^\s+(\d+)\s+gen\s", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;

        var pointer = WaitForCheckpoint(shared.Path, TimeSpan.FromMinutes(5));
        Assert.True(pointer is not null, "gen never checkpointed\n" + SlurmSubmitTests.JobLogs(shared.Path));
        var requeue = cluster.Command("scontrol", "requeue", genJob);
        Assert.True(requeue.ExitCode == 0, requeue.All);

        var local = PipelineCli.Run(["run", Chain, "--set", steps, "--out", localRun.Path, "--quiet"], localCache.Path);
        Assert.True(local.ExitCode == 0, local.All);
        Assert.True(cluster.WaitUntilIdle(TimeSpan.FromMinutes(8)), "the jobs did not finish\n" + SlurmSubmitTests.JobLogs(shared.Path));

        var genLog = File.ReadAllText(Directory.GetFiles(shared.Path, $"stage-gen-{genJob}.log", SearchOption.AllDirectories).Single());
        var resumed = System.Text.RegularExpressions.Regex.Match(genLog, @"resumed gen at step (\d+)");
        Assert.True(resumed.Success && long.Parse(resumed.Groups[1].Value) > 0, genLog);
        Assert.Contains("restart 1", genLog);

        var status = PipelineCli.Run(["status", run.Groups[1].Value], submitCache.Path, environment: cluster.Environment);
        log.WriteLine(status.StandardOutput);
        Assert.Contains("succeeded", status.StandardOutput);
        Assert.Matches(@"gen\s+flow_generator\s+\d+\s+COMPLETED, requeued 1x\s+ran [0-9.]+ s, resumed at step " + resumed.Groups[1].Value, status.StandardOutput);

        // The resumed run ends exactly where an uninterrupted one does; only timings and the resume step differ.
        var expected = SlurmSubmitTests.WithoutTimings(localRun.File("results.json"));
        var actual = SlurmSubmitTests.WithoutTimings(Path.Combine(run.Groups[2].Value, "results.json"));
        Assert.Equal(long.Parse(resumed.Groups[1].Value), actual["stages"]!["gen"]!["resumed_from_step"]!.GetValue<long>());
        actual["stages"]!["gen"]!.AsObject()["resumed_from_step"] = null;
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
    }

    /// <summary>Waits until gen's checkpoint pointer in the shared cache records a step past the first.</summary>
    private static string? WaitForCheckpoint(string shared, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var checkpoints = Path.Combine(shared, "cache", "stages", ".checkpoints");
        while (DateTime.UtcNow < deadline)
        {
            foreach (var pointer in Directory.Exists(checkpoints) ? Directory.GetFiles(checkpoints, "trainer-0.json", SearchOption.AllDirectories) : [])
            {
                try
                {
                    // ae (5 steps) checkpoints too; gen is the one with 60 steps.
                    var json = JsonNode.Parse(File.ReadAllText(pointer))!;
                    if (json["steps"]!.GetValue<long>() == 60 && json["step"]!.GetValue<long>() >= 3)
                    {
                        return pointer;
                    }
                }
                catch (Exception error) when (error is IOException or System.Text.Json.JsonException)
                {
                    // Replaced while read; look again.
                }
            }

            Thread.Sleep(300);
        }

        return null;
    }
}

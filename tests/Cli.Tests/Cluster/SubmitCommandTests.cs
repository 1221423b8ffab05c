using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Cluster;

/// <summary>
/// <c>pipeline submit</c> without a cluster: <c>--dry-run</c> prints the job graph and scripts (and submits nothing),
/// and bad options get one line with a stable code before anything is compiled or submitted.
/// </summary>
public sealed class SubmitCommandTests
{
    private static string Smoke => Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe");

    [Fact]
    public void Dry_run_prints_a_job_array_for_the_swept_stage_and_scripts_an_admin_would_accept()
    {
        using var cache = new TempFolder();
        using var shared = new TempFolder();
        var result = PipelineCli.Run(["submit", Smoke, "--set", "dpo.beta=sweep [500, 1000]", "--slurm", "--shared-dir", shared.Path, "--partition", "gpu", "--time", "1:00:00", "--gpus-per-task", "1", "--cpus-per-task", "4", "--dry-run"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        var text = result.StandardOutput;

        // Shared upstream stages run once; the swept stage and what reads it are arrays, task i waiting for task i.
        Assert.Matches(@"<ae>\s+ae\s+point\(s\) 0,1\n", text);
        Assert.Matches(@"<dpo>\s+dpo\s+array 0-1", text);
        Assert.Contains("aftercorr:<dpo>", text);
        Assert.Contains("no job, rebuilt from the seed in each job that reads them: prefs, world", text);
        foreach (var directive in new[] { "--array=0-1", "--gpus-per-task=1", "--cpus-per-task=4", "--partition=gpu", "--time=1:00:00", "--requeue", "--open-mode=append", "--kill-on-invalid-dep=yes" })
        {
            Assert.Contains("#SBATCH " + directive, text);
        }

        Assert.Contains("export OMP_NUM_THREADS=\"$SLURM_CPUS_PER_TASK\"", text);
        Assert.Contains("--stage 'dpo'", text);
        Assert.Contains("logs/stage-dpo-%A_%a.log", text);
        Assert.Empty(Directory.EnumerateFileSystemEntries(shared.Path));
    }

    [Fact]
    public void Dry_run_of_a_replicate_set_prints_a_job_array_per_stage_and_the_sets_last_job()
    {
        using var cache = new TempFolder();
        using var shared = new TempFolder();
        var result = PipelineCli.Run(["submit", Smoke, "--set", "replicates=2", "--slurm", "--shared-dir", shared.Path, "--dry-run"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        var text = result.StandardOutput;
        Assert.Contains("replicates: 2 seeds\npoint 0: seed = 7\npoint 1: seed = 8\n", text);
        Assert.Matches(@"<ae>\s+ae\s+array 0-1, task i = point\(s\) 0 \| 1\n", text);
        Assert.Matches(@"<replicates>\s+replicates\s+the replicate set\s+after afterok:<results>\n", text);
        Assert.Contains("/seed-7' '", text);
        Assert.Matches(@"replicates '[^']+' --assembly '[^']+/point-0/videoalign_smoke\.dll' --source-sha256 [0-9a-f]{64} --seeds 7,8\n", text);
        Assert.Empty(Directory.EnumerateFileSystemEntries(shared.Path));
    }

    [Theory]
    [InlineData("PIPE4401", "--shared-dir", "SHARED")]
    [InlineData("PIPE4401", "--slurm", "--shared-dir", "SHARED", "--time", "soon")]
    [InlineData("PIPE4401", "--slurm", "--shared-dir", "SHARED", "--partition", "a b")]
    [InlineData("PIPE4401", "--slurm", "--shared-dir", "SHARED", "--gpus-per-task", "-1")]
    [InlineData("PIPE4401", "--slurm", "--shared-dir", "SHARED", "--cpus-per-task", "0")]
    [InlineData("PIPE4401", "--slurm", "--shared-dir", "SHARED", "--set", "device=cpu", "--gpus-per-task", "2")]
    [InlineData("PIPE4404", "--slurm")]
    [InlineData("PIPE4404", "--slurm", "--shared-dir", "/tmp/a folder")]
    public void Bad_options_are_one_coded_error(string code, params string[] options)
    {
        using var cache = new TempFolder();
        using var shared = new TempFolder();
        var arguments = new[] { "submit", Smoke }.Concat(options.Select(o => o == "SHARED" ? shared.Path : o)).Append("--dry-run");
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Matches($"^error {code}: [^\\n]+\\n$", result.StandardError);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void Without_slurm_installed_submit_says_so()
    {
        using var cache = new TempFolder();
        using var shared = new TempFolder();
        using var empty = new TempFolder();
        var result = PipelineCli.Run(["submit", Smoke, "--slurm", "--shared-dir", shared.Path], cache.Path, environment: new Dictionary<string, string?> { ["PATH"] = empty.Path });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error PIPE4402: sbatch is not installed here", result.StandardError);
    }
}

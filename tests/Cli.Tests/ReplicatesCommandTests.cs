using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary><c>replicates</c> on the command line: checked like the file, run by run one seed after another.</summary>
public sealed class ReplicatesCommandTests
{
    private static string Hello => Path.Combine(RepoPaths.Root, "examples", "hello.pipe");

    [Fact]
    public void Set_replicates_is_checked_like_the_file()
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["check", Hello, "--set", "replicates=0"], cache.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--set replicates:1:1: error PIPE2002: The value 0 is out of range; write an integer in [1, 1000].", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_refuses_replicates_with_a_stage_before_running_anything()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var result = PipelineCli.Run(["run", Hello, "--set", "replicates=3", "--stage", "gen", "--out", output.Path], cache.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error PIPE4501: --stage runs one stage of one run, and replicates = 3 asks for 3 runs;", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("running", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dry_run_of_replicates_lists_each_seeds_stages()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var result = PipelineCli.Run(["run", Hello, "--set", "replicates=2", "--out", output.Path, "--dry-run"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("replicates: 2 seeds, 7 to 8", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("replicate 1: seed 8", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output.Path, "results.json")));
    }
}

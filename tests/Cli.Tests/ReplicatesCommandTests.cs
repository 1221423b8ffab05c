using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary><c>replicates</c> on the command line: checked like the file, and refused by run and submit until they run replicates.</summary>
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
    public void Run_refuses_more_than_one_replicate_instead_of_running_one_seed()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var result = PipelineCli.Run(["run", Hello, "--set", "replicates=3", "--out", output.Path, "--dry-run"], cache.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("replicates = 3 asks for runs on seeds 7 to 9, which this version checks and compiles but does not run yet;", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All);
    }
}

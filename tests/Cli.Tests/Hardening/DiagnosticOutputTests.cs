using System.Text;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>How many diagnostics a command prints, and that each is one line (issue 23, item 5).</summary>
[Collection(InProcessCliCollection.Name)]
public sealed class DiagnosticOutputTests : IDisposable
{
    private readonly TempFolder temp = new("pipeline-diagnostic-output-");

    [Theory]
    [InlineData("check")]
    [InlineData("run")]
    [InlineData("compile")]
    [InlineData("graph")]
    public void Twenty_thousand_duplicate_properties_print_100_diagnostics_and_how_many_more(string command)
    {
        // Before: 20,000 lines (2.5 MB) although docs/language.md promised at most 100.
        var file = temp.File("duplicates.pipe");
        File.WriteAllText(file, "experiment duplicates {\n" + string.Concat(Enumerable.Repeat("  seed = 7\n", 20_001)) + "}\n");
        string[] arguments = command switch
        {
            "run" => ["run", file, "--dry-run"],
            "compile" => ["compile", file, "-o", temp.File("out")],
            _ => [command, file],
        };

        var result = InProcessCli.Run(temp.File("cache"), temp.Path, arguments);

        Assert.Equal(1, result.ExitCode);
        Assert.Null(InProcessCli.Problem(result));
        var lines = result.All.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Count(l => l.Contains(": error PIPE1007: ", StringComparison.Ordinal)));
        Assert.Contains($"{file}: info PIPE0050: Not shown: 19900 more diagnostics (only the first 100 are printed); fix those above and check again.", lines);
        Assert.True(result.All.Length < 40_000, $"{result.All.Length} characters");
    }

    [Fact]
    public void A_value_with_line_breaks_is_one_line_in_every_message()
    {
        // Before: a device (or a path) holding a newline printed one diagnostic over several lines.
        var file = temp.File("device.pipe");
        File.WriteAllText(file, "experiment device {\n  device = \"cuda\\n/tmp/x.pipe:1:1: error PIPE0001: forged\"\n}\n");
        var check = InProcessCli.Run(temp.File("cache"), temp.Path, "check", file);
        Assert.Equal($"{file}:2:12: error PIPE2030: The device 'cuda\\n/tmp/x.pipe:1:1: error PIPE0001: forged' is not auto, cpu, cuda or \"cuda:N\" (N a GPU index such as 0); write one of those.", check.StandardOutput.TrimEnd('\n'));

        var folder = temp.File("a\nb");
        var missing = InProcessCli.Run(temp.File("cache"), temp.Path, "run", Path.Combine(folder, "x.pipe"));
        Assert.Equal($"error PIPE4501: cannot read '{temp.Path}/a\\nb/x.pipe': no such file.", missing.StandardError.TrimEnd('\n'));
    }

    public void Dispose() => temp.Dispose();
}

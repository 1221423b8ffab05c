using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>The walking skeleton end to end: parse, generate C#, Roslyn-compile, load, train on TorchSharp, write results.json.</summary>
public sealed class HelloExampleTests
{
    [Fact]
    public void Running_hello_trains_the_generator_and_its_loss_falls()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var result = PipelineCli.Run(new[] { "run", Path.Combine(RepoPaths.Examples, "hello.pipe"), "--out", output.Path, "--quiet" }, cache.Path);

        Assert.True(result.ExitCode == 0, result.All);
        // Redirected output (and --quiet) gives plain progress lines, the last one at the final step.
        Assert.Contains("stage gen: step 300/300, loss ", result.StandardOutput);
        Assert.True(File.Exists(output.File("report.md")), result.All);
        Assert.True(File.Exists(Path.Combine(output.Path, "gen", "metrics.jsonl")), "metrics.jsonl is written as the generator trains");
        using var json = JsonDocument.Parse(File.ReadAllText(output.File("results.json")));
        var root = json.RootElement;
        Assert.Equal("hello", root.GetProperty("experiment").GetString());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("source_sha256").GetString()!);

        var generator = root.GetProperty("stages").GetProperty("gen");
        Assert.Equal("flow_generator", generator.GetProperty("kind").GetString());
        Assert.False(generator.GetProperty("cached").GetBoolean());
        var metrics = generator.GetProperty("metrics");
        Assert.Equal(300, metrics.GetProperty("steps").GetInt32());
        var start = metrics.GetProperty("loss_start").GetDouble();
        var end = metrics.GetProperty("loss_end").GetDouble();
        Assert.True(end < 0.8 * start, $"the flow-matching loss fell only from {start} to {end}");
    }
}

using System.Text.Json.Nodes;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>Two CPU runs with the same seed, each with an empty stage cache, give identical results.json apart from timings.</summary>
public sealed class DeterminismTests
{
    [Fact]
    public void Two_uncached_runs_with_the_same_seed_write_the_same_results_apart_from_timings()
    {
        var experiment = Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "latent-eval.pipe");
        var first = RunOnce(experiment);
        var second = RunOnce(experiment);
        Assert.True(first["win_rates"] is not null, first.ToJsonString());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
    }

    private static JsonObject RunOnce(string experiment)
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var result = PipelineCli.Run(new[] { "run", experiment, "--out", output.Path, "--quiet" }, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        var root = JsonNode.Parse(File.ReadAllText(output.File("results.json")))!.AsObject();
        foreach (var (_, stage) in root["stages"]!.AsObject())
        {
            stage!.AsObject().Remove("seconds");
        }

        return root;
    }
}

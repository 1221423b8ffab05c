using System.Text.Json.Nodes;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Sampling is an evaluation setting (issue 25, item 4), end to end on tests/Cli.Tests/Experiments/evidence.pipe:
/// changing only the generator's sampling steps trains nothing again (the autoencoder and the generator come from
/// the cache), and the cached generator samples with the new setting, not the one it was trained under: the results
/// equal those of a fresh run with that setting.
/// </summary>
public sealed class SamplingRerunTests
{
    private static string Evidence => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "evidence.pipe");

    [Fact]
    public void Changing_only_a_sampling_setting_runs_no_training_stage_and_gives_a_fresh_runs_results()
    {
        using var cache = new TempFolder();
        using var freshCache = new TempFolder();
        using var output = new TempFolder();
        var first = PipelineCli.Run(["run", Evidence, "--out", output.File("first"), "--quiet"], cache.Path);
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Contains("stage gen: running", first.StandardOutput, StringComparison.Ordinal);

        var changed = PipelineCli.Run(["run", Evidence, "--set", "gen.sampling_steps=3", "--out", output.File("changed"), "--quiet"], cache.Path);
        Assert.True(changed.ExitCode == 0, changed.All);
        Assert.Contains("stage ae: cached", changed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("stage gen: cached", changed.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("stage ae: running", changed.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("stage gen: running", changed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("stage report: running", changed.StandardOutput, StringComparison.Ordinal);

        var fresh = PipelineCli.Run(["run", Evidence, "--set", "gen.sampling_steps=3", "--out", output.File("fresh"), "--quiet"], freshCache.Path);
        Assert.True(fresh.ExitCode == 0, fresh.All);
        Assert.Contains("stage gen: running", fresh.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(Numbers(output.File("fresh")), Numbers(output.File("changed")));
        Assert.NotEqual(Numbers(output.File("first")), Numbers(output.File("changed")));
    }

    [Fact]
    public void A_guides_own_sampling_steps_resample_that_guide_only()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var first = PipelineCli.Run(["run", Evidence, "--out", output.File("first"), "--quiet"], cache.Path);
        Assert.True(first.ExitCode == 0, first.All);

        var changed = PipelineCli.Run(["run", Evidence, "--set", "cfg4.sampling_steps=5", "--out", output.File("changed"), "--quiet"], cache.Path);
        Assert.True(changed.ExitCode == 0, changed.All);
        foreach (var cached in new[] { "ae", "gen", "same" })
        {
            Assert.Contains($"stage {cached}: cached", changed.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Contains("stage cfg4: running", changed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("stage report: running", changed.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(WinRates(output.File("first"), "same"), WinRates(output.File("changed"), "same"));
        Assert.NotEqual(WinRates(output.File("first"), "cfg4"), WinRates(output.File("changed"), "cfg4"));
    }

    /// <summary>The report's win rates of one method, as JSON text.</summary>
    private static string WinRates(string folder, string method) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "results.json")))!["win_rates"]!["oracle"]![method]!.ToJsonString();

    /// <summary>results.json without timings and cache flags: what a cached rerun and a fresh run share.</summary>
    private static string Numbers(string folder)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "results.json")))!;
        foreach (var stage in node["stages"]!.AsObject())
        {
            stage.Value!.AsObject().Remove("seconds");
            stage.Value!.AsObject().Remove("cached");
        }

        return node.ToJsonString();
    }
}

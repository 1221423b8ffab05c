using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Declared expectations decided by <c>pipeline run</c>, and replicate sets, end to end on
/// tests/Cli.Tests/Experiments/evidence.pipe (a few seconds a seed). Its method <c>same</c> makes exactly the
/// baseline's videos, so every sample ties and its win rate is ½ on every seed: the intervals below are computed by
/// hand from that, never read from the code. One seed, n = 8: ½ ± 1.959964·√(¼/8) = ½ ± 0.346476. Two seeds that agree
/// exactly (between-seed sd 0): the within-seed floor, ½ ± 1.959964·√(2·¼/8)/2 = ½ ± 0.244996 (docs/statistics.md).
/// </summary>
public sealed class ExpectationRunTests
{
    private static string Evidence => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "evidence.pipe");

    [Fact]
    public void An_expectation_that_holds_is_written_to_results_json_and_expect_exits_0()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var run = PipelineCli.Run(["run", Evidence, "--out", output.Path, "--quiet", "--expect"], cache.Path);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("expect held: same.win_rate(oracle).TA > 0.1 (0.500 [0.154, 0.846])", run.StandardOutput, StringComparison.Ordinal);

        using var results = JsonDocument.Parse(File.ReadAllText(output.File("results.json")));
        var entry = results.RootElement.GetProperty("expectations").EnumerateArray().Single();
        Assert.Equal("same.win_rate(oracle).TA > 0.1", entry.GetProperty("expression").GetString());
        Assert.Equal("held", entry.GetProperty("status").GetString());
        Assert.Equal(1, entry.GetProperty("seeds").GetInt32());
        Assert.Equal(0.1, entry.GetProperty("threshold").GetDouble());
        var left = entry.GetProperty("left");
        Assert.Equal("same.win_rate(oracle).TA", left.GetProperty("metric").GetString());
        Assert.Equal(0.5, left.GetProperty("mean").GetDouble());
        Assert.Equal(0.5 - 0.346476, left.GetProperty("lower").GetDouble(), 5);
        Assert.Equal(0.5 + 0.346476, left.GetProperty("upper").GetDouble(), 5);
        Assert.Contains("| `same.win_rate(oracle).TA > 0.1` | held | 0.500 [0.154, 0.846] | 0.100 |  |", File.ReadAllText(output.File("report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_expectation_that_does_not_hold_fails_the_run_with_expect_after_writing_its_results()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var file = Extending(output, "expect same.win_rate(oracle).TA < 0.1");
        var plain = PipelineCli.Run(["run", file, "--out", output.File("plain"), "--quiet"], cache.Path);
        Assert.True(plain.ExitCode == 0, plain.All);
        Assert.Contains("expect not held: same.win_rate(oracle).TA < 0.1 (0.500 [0.154, 0.846])", plain.StandardOutput, StringComparison.Ordinal);

        var checkedRun = PipelineCli.Run(["run", file, "--out", output.File("ci"), "--quiet", "--expect"], cache.Path);
        Assert.Equal(1, checkedRun.ExitCode);
        Assert.Contains("error PIPE4800: 1 expectation(s) did not hold: same.win_rate(oracle).TA < 0.1;", checkedRun.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", checkedRun.All);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.File("ci"), "results.json")));
        var statuses = results.RootElement.GetProperty("expectations").EnumerateArray().ToDictionary(e => e.GetProperty("expression").GetString()!, e => e.GetProperty("status").GetString());
        Assert.Equal("not held", statuses["same.win_rate(oracle).TA < 0.1"]);
        Assert.Equal("held", statuses["same.win_rate(oracle).TA > 0.1"]);
    }

    [Fact]
    public void An_expectation_whose_interval_crosses_its_threshold_is_inconclusive_and_does_not_fail_expect()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var file = Extending(output, "expect same.win_rate(oracle).Overall > 0.6");
        var run = PipelineCli.Run(["run", file, "--out", output.File("run"), "--quiet", "--expect"], cache.Path);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("expect inconclusive: same.win_rate(oracle).Overall > 0.6 (0.500 [0.154, 0.846])", run.StandardOutput, StringComparison.Ordinal);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.File("run"), "results.json")));
        Assert.Contains(results.RootElement.GetProperty("expectations").EnumerateArray(), e => e.GetProperty("status").GetString() == "inconclusive");
    }

    [Fact]
    public void An_expectation_naming_a_missing_stage_or_metric_is_a_compile_error_and_nothing_runs()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var file = Extending(output, "expect sme.win_rate(oracle).TA > 0.5\n  expect same.winrate(oracle).TA > 0.5");
        var run = PipelineCli.Run(["run", file, "--out", output.File("run"), "--expect"], cache.Path);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("extending.pipe:2:10: error PIPE1050: No stage is named 'sme'; an expectation names a method of a win_rates stage (did you mean 'same'?).", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("extending.pipe:3:15: error PIPE1051: 'winrate' is not a metric an expectation can compare; write win_rate(JUDGE) (did you mean 'win_rate'?).", run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("running", run.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output.File("run"), "results.json")));
    }

    [Fact]
    public void Replicates_run_each_seed_through_the_cache_and_aggregate_them_with_their_interval()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();

        // A plain run of seed 5 first: replicate 0 of the set is that run, so every stage it trains comes from the cache.
        var plain = PipelineCli.Run(["run", Evidence, "--out", output.File("plain"), "--quiet"], cache.Path);
        Assert.True(plain.ExitCode == 0, plain.All);
        var set = PipelineCli.Run(["run", Evidence, "--set", "replicates=2", "--out", output.File("set"), "--quiet", "--expect"], cache.Path);
        Assert.True(set.ExitCode == 0, set.All);
        Assert.Contains("replicates: 2 seeds, 5 to 6", set.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("expect held: same.win_rate(oracle).TA > 0.1 (0.500 [0.255, 0.745])", set.StandardOutput, StringComparison.Ordinal);

        // Each seed is a complete run with the numbers and stage hashes of a plain run of that seed (its source says
        // replicates = 1 and so hashes differently).
        Assert.Equal(Numbers(output.File("plain")), Numbers(Path.Combine(output.File("set"), "seed-5")));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.File("set"), "results.json")));
        var root = results.RootElement;
        Assert.Equal(5, root.GetProperty("seed").GetInt32());
        Assert.Equal(2, root.GetProperty("replicates").GetInt32());
        var perSeed = root.GetProperty("per_seed").EnumerateArray().ToArray();
        Assert.Equal([5, 6], perSeed.Select(s => s.GetProperty("seed").GetInt32()));
        Assert.Equal("seed-6/results.json", perSeed[1].GetProperty("results").GetString());
        using var five = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.File("set"), "seed-5", "results.json")));
        Assert.True(five.RootElement.GetProperty("stages").GetProperty("ae").GetProperty("cached").GetBoolean());
        Assert.True(five.RootElement.GetProperty("stages").GetProperty("gen").GetProperty("cached").GetBoolean());
        using var six = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.File("set"), "seed-6", "results.json")));
        var cfg4 = root.GetProperty("aggregate").GetProperty("win_rates").GetProperty("oracle").GetProperty("cfg4");
        var rates = perSeed.Select(s => s.GetProperty("win_rates").GetProperty("oracle").GetProperty("cfg4").GetProperty("TA").GetDouble()).ToArray();
        Assert.Equal(six.RootElement.GetProperty("win_rates").GetProperty("oracle").GetProperty("cfg4").GetProperty("TA").GetDouble(), rates[1]);
        Assert.Equal((rates[0] + rates[1]) / 2, cfg4.GetProperty("TA").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(Math.Abs(rates[0] - rates[1]) / Math.Sqrt(2), cfg4.GetProperty("TA").GetProperty("sd").GetDouble(), 12);
        Assert.Equal([8, 8], cfg4.GetProperty("n").EnumerateArray().Select(n => n.GetInt32()));
        var same = root.GetProperty("aggregate").GetProperty("win_rates").GetProperty("oracle").GetProperty("same").GetProperty("TA");
        Assert.Equal(0.5, same.GetProperty("mean").GetDouble());
        Assert.Equal(0, same.GetProperty("sd").GetDouble());
        Assert.Equal(0.5 - 0.244996, same.GetProperty("lower").GetDouble(), 5);
        Assert.Equal(0.5 + 0.244996, same.GetProperty("upper").GetDouble(), 5);
        Assert.Equal(2, root.GetProperty("expectations")[0].GetProperty("seeds").GetInt32());

        var report = File.ReadAllText(Path.Combine(output.File("set"), "report.md"));
        Assert.Contains("| same | 0.500 [0.255, 0.745] (sd 0.000) |", report, StringComparison.Ordinal);
        Assert.Contains("![forest plot, judge oracle](plots/forest_oracle.png)", report, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(output.File("set"), "plots", "forest_oracle.png")).Length > 1000);
    }

    /// <summary>An experiment file extending evidence.pipe with more lines, in the test's folder.</summary>
    private static string Extending(TempFolder folder, string lines)
    {
        var path = folder.File("extending.pipe");
        File.WriteAllText(path, $"experiment extending extends \"{Evidence}\" {{\n  {lines}\n}}\n");
        return path;
    }

    /// <summary>A run's results.json without what may differ between a run and its cached rerun (timings, cache flags) and its source hash.</summary>
    private static string Numbers(string folder)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "results.json")))!;
        node.AsObject().Remove("source_sha256");
        foreach (var stage in node["stages"]!.AsObject())
        {
            stage.Value!.AsObject().Remove("seconds");
            stage.Value!.AsObject().Remove("cached");
        }

        return node.ToJsonString();
    }
}

using System.Globalization;
using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// scripts/findings.sh, which generates the README's findings table from a replicate set, on the smoke example with
/// two replicates (the main example with ten is the lead's run, hours long): it runs the set and writes findings.md
/// with a row per method whose cells are the set's aggregate, and a row per declared expectation with its status.
/// </summary>
public sealed class FindingsScriptTests
{
    [Fact]
    public void Findings_script_writes_the_table_of_a_replicate_set_of_the_smoke_example()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var folder = output.File("set");
        var result = ProcessRunner.Run(
            "bash",
            [Path.Combine(RepoPaths.Root, "scripts", "findings.sh"), "--replicates", "2", "--example", Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe"), "--out", folder, "7"],
            RepoPaths.Root,
            new Dictionary<string, string?> { ["PIPELINE_CACHE"] = cache.Path, ["PIPELINE_CMD"] = $"dotnet {PipelineCli.Assembly}" },
            timeoutSeconds: 1200);
        Assert.True(result.ExitCode == 0, result.All);
        var table = File.ReadAllText(Path.Combine(folder, "findings.md"));
        Assert.Contains("--set seed=7 --set replicates=2", table, StringComparison.Ordinal);
        Assert.Contains("Seeds 7–8 (2 replicates), n = 16 samples per method and seed;", table, StringComparison.Ordinal);
        Assert.Contains("| method | VQ | MQ | TA | Overall |", table, StringComparison.Ordinal);

        // The SFT row's TA cell: the mean of the two seeds' own results.json, with the set's interval and sd.
        var seeds = new[] { 7, 8 }.Select(s =>
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"seed-{s}", "results.json")));
            return json.RootElement.GetProperty("win_rates").GetProperty("oracle").GetProperty("sft").GetProperty("TA").GetDouble();
        }).ToArray();
        using var set = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        var ta = set.RootElement.GetProperty("aggregate").GetProperty("win_rates").GetProperty("oracle").GetProperty("sft").GetProperty("TA");
        var mean = (seeds[0] + seeds[1]) / 2;
        Assert.Equal(mean, ta.GetProperty("mean").GetDouble(), 12);
        string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
        var row = table.Split('\n').Single(l => l.StartsWith("| sft |", StringComparison.Ordinal));
        Assert.Contains($"| {F(ta.GetProperty("lower").GetDouble())}".TrimStart('|', ' '), row, StringComparison.Ordinal);
        Assert.Contains($"(sd {F(Math.Abs(seeds[0] - seeds[1]) / Math.Sqrt(2))})", row, StringComparison.Ordinal);

        var status = set.RootElement.GetProperty("expectations")[0].GetProperty("status").GetString();
        Assert.Matches($@"\| `sft\.win_rate\(oracle\)\.Overall > 0\.5` \| (\*\*)?{status}(\*\*)? \|", table);
    }
}

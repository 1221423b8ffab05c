using System.Globalization;
using System.Text.Json;
using Pipeline.Catalog.Expectations;
using Pipeline.Runtime.Execution.Reporting;
using Pipeline.Tests.Shared;

namespace Pipeline.Runtime.Tests.Reporting;

/// <summary>
/// A replicate set's results.json and report.md from its seeds' results.json, on docs/statistics.md's hand-computed
/// case: rates 0.70, 0.80, 0.60 over n = 100 on seeds 7, 8, 9. Mean 0.70, S = 0.1, t_{2;0.975} = 4.302653, so the
/// interval is 0.70 ± 4.302653·0.1/√3 = 0.70 ± 0.248414 = [0.451586, 0.948414]. A second method at 0.40, 0.50, 0.30:
/// the paired differences are 0.30 on every seed (S = 0), so their interval is the within-seed floor,
/// 0.30 ± 1.959964·√(Σ (σ_a² + σ_b²))/3 with Σ σ_a² = 0.0061 and Σ σ_b² = (0.24 + 0.25 + 0.21)/100 = 0.007:
/// 0.30 ± 1.959964·√0.0131/3 = 0.30 ± 0.074777.
/// </summary>
public sealed class ReplicateResultsWriterTests
{
    [Fact]
    public void The_aggregate_and_the_expectations_have_the_hand_computed_intervals()
    {
        using var folder = new TempFolder();
        var rates = new[] { (7, 0.70, 0.40), (8, 0.80, 0.50), (9, 0.60, 0.30) };
        foreach (var (seed, dpoRate, rwrRate) in rates)
        {
            Directory.CreateDirectory(folder.File($"seed-{seed}"));
            File.WriteAllText(folder.File($"seed-{seed}/results.json"), string.Create(CultureInfo.InvariantCulture, $$"""
                { "experiment": "mini", "source_sha256": "x", "seed": {{seed}}, "device": "cpu", "runtime_version": "0.1.0.0", "stages": {},
                  "win_rates": { "oracle": { "dpo": { "TA": {{dpoRate}}, "n": 100 }, "rwr": { "TA": {{rwrRate}}, "n": 100 } } } }
                """));
        }

        var dpoTa = new MetricReference("dpo", "win_rate", "oracle", "TA");
        var rwrTa = new MetricReference("rwr", "win_rate", "oracle", "TA");
        var expectations = new[]
        {
            new Expectation("dpo.win_rate(oracle).TA > 0.5", dpoTa, Comparison.Greater, null, 0.5),
            new Expectation("dpo.win_rate(oracle).TA > 0.4", dpoTa, Comparison.Greater, null, 0.4),
            new Expectation("dpo.win_rate(oracle).TA > rwr.win_rate(oracle).TA", dpoTa, Comparison.Greater, rwrTa, null),
            new Expectation("dpo.win_rate(oracle).TA < rwr.win_rate(oracle).TA", dpoTa, Comparison.Less, rwrTa, null),
        };
        var runs = rates.Select(r => new ReplicateRun(r.Item1, $"seed-{r.Item1}")).ToArray();
        var written = ReplicateResultsWriter.Write(folder.Path, "set-hash", expectations, runs);

        using var json = JsonDocument.Parse(File.ReadAllText(written.Results));
        var root = json.RootElement;
        Assert.Equal(["experiment", "source_sha256", "seed", "replicates", "device", "runtime_version", "per_seed", "aggregate", "expectations"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("set-hash", root.GetProperty("source_sha256").GetString());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
        Assert.Equal(3, root.GetProperty("replicates").GetInt32());
        Assert.Equal(0.8, root.GetProperty("per_seed")[1].GetProperty("win_rates").GetProperty("oracle").GetProperty("dpo").GetProperty("TA").GetDouble());
        var dpo = root.GetProperty("aggregate").GetProperty("win_rates").GetProperty("oracle").GetProperty("dpo");
        Assert.Equal(0.70, dpo.GetProperty("TA").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(0.1, dpo.GetProperty("TA").GetProperty("sd").GetDouble(), 12);
        Assert.Equal(0.451586, dpo.GetProperty("TA").GetProperty("lower").GetDouble(), 5);
        Assert.Equal(0.948414, dpo.GetProperty("TA").GetProperty("upper").GetDouble(), 5);
        Assert.Equal([100, 100, 100], dpo.GetProperty("n").EnumerateArray().Select(n => n.GetInt32()));

        var outcomes = root.GetProperty("expectations").EnumerateArray().ToDictionary(e => e.GetProperty("expression").GetString()!);
        Assert.Equal("inconclusive", outcomes["dpo.win_rate(oracle).TA > 0.5"].GetProperty("status").GetString());
        Assert.Equal("held", outcomes["dpo.win_rate(oracle).TA > 0.4"].GetProperty("status").GetString());
        var paired = outcomes["dpo.win_rate(oracle).TA > rwr.win_rate(oracle).TA"];
        Assert.Equal("held", paired.GetProperty("status").GetString());
        Assert.Equal(0.30, paired.GetProperty("difference").GetProperty("value").GetDouble(), 12);
        Assert.Equal(0.30 - 0.074777, paired.GetProperty("difference").GetProperty("lower").GetDouble(), 5);
        Assert.Equal(0.30 + 0.074777, paired.GetProperty("difference").GetProperty("upper").GetDouble(), 5);
        Assert.True(paired.GetProperty("difference").GetProperty("paired").GetBoolean());
        Assert.Equal("not held", outcomes["dpo.win_rate(oracle).TA < rwr.win_rate(oracle).TA"].GetProperty("status").GetString());
        Assert.Single(written.Expectations.NotHeld);

        var report = File.ReadAllText(written.Report);
        Assert.Contains("| dpo | 0.700 [0.452, 0.948] (sd 0.100) |", report, StringComparison.Ordinal);
        Assert.Contains("| `dpo.win_rate(oracle).TA > rwr.win_rate(oracle).TA` | held | 0.700 [0.452, 0.948] | 0.400 [0.152, 0.648] | +0.300 [+0.225, +0.375] |", report, StringComparison.Ordinal);
        Assert.True(File.Exists(folder.File("plots/forest_oracle.png")));
    }
}

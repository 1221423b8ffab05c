using System.Text.Json.Nodes;
using Pipeline.Cli.Registry;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// <c>pipeline compare</c> with noise, on a registry filled with hand-made runs (the win rates are chosen, so the
/// intervals can be computed by hand): one run a side, and replicate sets of three seeds.
/// </summary>
public sealed class CompareNoiseTests
{
    private const string Source = "experiment x {\n  seed = SEED\n\n  align dpo = flow_dpo {\n    beta = BETA\n  }\n}\n";

    private static long Record(RunRegistry registry, int seed, int beta, double ta, double vq, int n, double loss)
    {
        var stages = new[] { new RunStage("dpo", "flow_dpo", beta == 500 ? new string('a', 64) : new string('b', 64)) };
        var source = Source.Replace("SEED", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("BETA", beta.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var id = registry.Start(new RunStart("x", "x.pipe", "sha", source, [$"seed={seed}"], "out", stages), DateTime.UtcNow);
        var results = new JsonObject
        {
            ["stages"] = new JsonObject { ["dpo"] = new JsonObject { ["metrics"] = new JsonObject { ["loss_end"] = loss } } },
            ["win_rates"] = new JsonObject { ["oracle"] = new JsonObject { ["dpo"] = new JsonObject { ["TA"] = ta, ["VQ"] = vq, ["n"] = n } } },
        }.ToJsonString();
        registry.Finish(id, RunStatus.Succeeded, DateTime.UtcNow, null, [stages[0] with { Cached = false, Seconds = 1 }], results);
        return id;
    }

    [Fact]
    public void Compare_two_runs_gives_each_win_rates_difference_with_its_binomial_interval()
    {
        using var cache = new TempFolder();
        using (var registry = new RunRegistry(Path.Combine(cache.Path, "registry.db")))
        {
            Record(registry, 7, 500, ta: 0.75, vq: 0.60, n: 256, loss: 0.5);
            Record(registry, 7, 2000, ta: 0.65, vq: 0.62, n: 256, loss: 0.4);
        }

        var result = PipelineCli.Run(["compare", "1", "2"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        var output = result.StandardOutput;
        // TA: −0.10 ± 1.959964 √((0.75·0.25 + 0.65·0.35)/256) = −0.10 ± 0.0789 = [−0.179, −0.021].
        // VQ: +0.02 ± 1.959964 √((0.60·0.40 + 0.62·0.38)/256) = +0.02 ± 0.0845 = [−0.064, +0.104].
        Assert.Contains(
            """
            experiment:
              dpo.beta: 500 → 2000
              stages with another hash: dpo

            win rates (old → new, new − old with its 95 % interval from one run a side: each rate's binomial interval within the run; docs/statistics.md):
              dpo.win_rate(oracle).VQ  0.600 → 0.620  +0.020 [-0.064, +0.104]  within noise
              dpo.win_rate(oracle).TA  0.750 → 0.650  -0.100 [-0.179, -0.021]  new is lower
              1 of 2 win rates differ beyond noise

            metrics:
              dpo.loss_end           0.5 → 0.4           -0.1
              1 of 1 metrics differ
            """.ReplaceLineEndings("\n"),
            output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_two_replicate_sets_pairs_them_by_seed()
    {
        using var cache = new TempFolder();
        using (var registry = new RunRegistry(Path.Combine(cache.Path, "registry.db")))
        {
            // Old TA on seeds 7, 8, 9: 0.60, 0.65, 0.55; new: 0.70, 0.80, 0.60 (n = 100). Recorded in another order.
            Record(registry, 8, 500, ta: 0.65, vq: 0.5, n: 100, loss: 0.5);
            Record(registry, 7, 500, ta: 0.60, vq: 0.5, n: 100, loss: 0.5);
            Record(registry, 9, 500, ta: 0.55, vq: 0.5, n: 100, loss: 0.5);
            Record(registry, 7, 2000, ta: 0.70, vq: 0.5, n: 100, loss: 0.5);
            Record(registry, 8, 2000, ta: 0.80, vq: 0.5, n: 100, loss: 0.5);
            Record(registry, 9, 2000, ta: 0.60, vq: 0.5, n: 100, loss: 0.5);
        }

        var result = PipelineCli.Run(["compare", "1,2,3", "4,5,6"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        var output = result.StandardOutput;
        Assert.Contains("old: 3 runs\n  run 1, seed 8: x (succeeded, x.pipe, --set seed=8)\n", output, StringComparison.Ordinal);
        Assert.Contains("experiment (run 1 against run 4):\n  dpo.beta: 500 → 2000\n  seed: 8 → 7\n", output, StringComparison.Ordinal);
        // Per-seed differences 0.10, 0.15, 0.05: mean 0.10, S = 0.05, t(2) S/√3 = 0.124 → [−0.024, +0.224].
        // VQ is 0.5 everywhere: S = 0, so the interval is the within-seed floor, 1.959964 √(6 × 0.25/100)/3 = 0.080.
        Assert.Contains(
            """
            win rates (old → new, new − old with its 95 % interval from the seeds' spread and the samples within each seed, paired by seed; docs/statistics.md):
              dpo.win_rate(oracle).VQ  0.500 → 0.500  0.000 [-0.080, +0.080]  within noise
              dpo.win_rate(oracle).TA  0.600 → 0.700  +0.100 [-0.024, +0.224]  within noise
              all 2 win rates within noise
            """.ReplaceLineEndings("\n"),
            output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_set_with_two_runs_on_one_seed_or_a_bad_id_is_refused()
    {
        using var cache = new TempFolder();
        using (var registry = new RunRegistry(Path.Combine(cache.Path, "registry.db")))
        {
            Record(registry, 7, 500, ta: 0.6, vq: 0.5, n: 100, loss: 0.5);
            Record(registry, 7, 2000, ta: 0.7, vq: 0.5, n: 100, loss: 0.5);
        }

        var repeated = PipelineCli.Run(["compare", "1,2", "1"], cache.Path);
        Assert.Equal(2, repeated.ExitCode);
        Assert.Contains("runs 1 and 2 both used seed 7; a replicate set holds one run per seed.", repeated.StandardError, StringComparison.Ordinal);
        var bad = PipelineCli.Run(["compare", "1;2", "1"], cache.Path);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'1;2' is not a run id or a comma-separated list of run ids (such as 3 or 3,4,5); pipeline runs lists them.", bad.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", repeated.All + bad.All);
    }
}

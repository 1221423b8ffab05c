using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// examples/videoalign-smoke.pipe end to end through the CLI: every stage kind of the paper's pipeline runs, and
/// results.json holds what contracts.md promises (reward and oracle accuracy with Overall, win rates of every method
/// under both judges). Its sizes are toys; the findings come from the mini example's slow test.
/// </summary>
public sealed class VideoAlignSmokeTests
{
    private static readonly string[] Methods = ["sft", "rwr", "dpo", "dpo_t", "nrg_ta", "nrg_vq_mq", "nrg_clean", "base_cfg4"];

    [Fact]
    public void The_smoke_example_runs_every_stage_and_writes_the_contracted_results()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var result = PipelineCli.Run(new[] { "run", Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe"), "--out", output.Path, "--quiet" }, cache.Path);

        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(File.ReadAllText(output.File("results.json")));
        var root = json.RootElement;

        // The example's declared expectation is decided (its numbers mean nothing, so any status) and written.
        Assert.Matches(@"expect (held|not held|inconclusive): sft\.win_rate\(oracle\)\.Overall > 0\.5 \(", result.StandardOutput);
        Assert.Equal("sft.win_rate(oracle).Overall > 0.5", root.GetProperty("expectations")[0].GetProperty("expression").GetString());
        var stages = root.GetProperty("stages");
        foreach (var (stage, kind) in new[] { ("vr", "video_reward"), ("vr_bt", "video_reward"), ("ae", "autoencoder"), ("base", "flow_generator"), ("sft", "flow_sft"), ("rwr", "flow_rwr"), ("dpo", "flow_dpo"), ("dpo_t", "flow_dpo"), ("latent", "latent_reward"), ("latent_clean", "latent_reward"), ("nrg_ta", "flow_nrg"), ("nrg_vq_mq", "flow_nrg"), ("nrg_clean", "flow_nrg"), ("base_cfg4", "classifier_free"), ("report", "win_rates") })
        {
            Assert.Equal(kind, stages.GetProperty(stage).GetProperty("kind").GetString());
        }

        Assert.True(stages.GetProperty("latent").GetProperty("metrics").GetProperty("noisy").GetBoolean());
        Assert.False(stages.GetProperty("nrg_clean").GetProperty("metrics").GetProperty("reward_noisy").GetBoolean());
        foreach (var dimension in new[] { "VQ", "MQ", "TA", "Overall" })
        {
            var accuracy = root.GetProperty("reward_accuracy").GetProperty("vr").GetProperty(dimension);
            Assert.InRange(accuracy.GetProperty("without_ties").GetDouble(), 0, 1);
            Assert.InRange(root.GetProperty("oracle_accuracy").GetProperty(dimension).GetProperty("with_ties").GetDouble(), 0, 1);
        }

        foreach (var judge in new[] { "oracle", "vr" })
        {
            foreach (var method in Methods)
            {
                var rates = root.GetProperty("win_rates").GetProperty(judge).GetProperty(method);
                Assert.Equal(16, rates.GetProperty("n").GetInt32()); // 8 prompts × 2 seeds
                foreach (var dimension in new[] { "VQ", "MQ", "TA", "Overall" })
                {
                    Assert.InRange(rates.GetProperty(dimension).GetDouble(), 0, 1);
                }
            }
        }

        Assert.Contains("nrg_clean", File.ReadAllText(output.File("report.md")));
        TrainingStagesLeaveTheirRecord(output, stages);
        ReportShowsTheRewardModelsAccuracy(File.ReadAllText(output.File("report.md")), root);

        // Issue 10 on this example: a second run recomputes no stored stage; changing dpo.beta recomputes DPO and
        // what depends on it (the report) and reuses everything else.
        using var again = new TempFolder();
        var second = PipelineCli.Run(new[] { "run", Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe"), "--out", again.Path, "--quiet" }, cache.Path);
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal(StoredStages, Cached(again.File("results.json"), true));
        using var changed = new TempFolder();
        var third = PipelineCli.Run(new[] { "run", Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe"), "--out", changed.Path, "--quiet", "--set", "dpo.beta=1000" }, cache.Path);
        Assert.True(third.ExitCode == 0, third.All);
        Assert.Equal(["dpo", "report"], Cached(changed.File("results.json"), false).Intersect(StoredStages).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The GPU's random path, run where there is no GPU: with PIPELINE_RANDOM_CHECK=cuda every random stream draws as
    /// on CUDA (reseeded from a counter, no generator object) and checks each draw. Every stage of the example runs
    /// through it, and two runs agree (timings aside), as two CUDA runs of one seed must.
    /// </summary>
    [Fact]
    public void The_smoke_example_runs_through_the_CUDA_random_path_and_two_runs_agree()
    {
        var environment = new Dictionary<string, string?> { ["PIPELINE_RANDOM_CHECK"] = "cuda" };
        var results = new List<string>();
        foreach (var _ in new[] { 1, 2 })
        {
            using var cache = new TempFolder();
            using var output = new TempFolder();
            var run = PipelineCli.Run(new[] { "run", Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe"), "--out", output.Path }, cache.Path, environment: environment);
            Assert.True(run.ExitCode == 0, run.All);
            Assert.Contains("random draws: the CUDA path, checked on the CPU (PIPELINE_RANDOM_CHECK=cuda)", run.StandardOutput);
            results.Add(System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(output.File("results.json")), @"""seconds"": [^,\n]+", string.Empty));
        }

        Assert.Equal(results[0], results[1]);
    }

    /// <summary>
    /// Every stage that trains writes metrics.jsonl and a TensorBoard event file with a scalar per metric and step
    /// (video_reward used to write neither), and the win-rate stage's sample GIFs go to TensorBoard as images. The
    /// aligners' 10 steps report start and end means over steps 0–4 and 5–9 (both used to be the mean of all ten).
    /// </summary>
    private static void TrainingStagesLeaveTheirRecord(TempFolder output, JsonElement stages)
    {
        string[] dpo = ["loss", "implicit_accuracy", "learning_rate", "loser_error_change", "reward_margin", "winner_error_change"];
        var tags = new Dictionary<string, string[]>
        {
            ["vr"] = ["loss", "learning_rate"], ["vr_bt"] = ["loss", "learning_rate"], ["ae"] = ["loss", "learning_rate"],
            ["base"] = ["loss", "learning_rate"], ["latent"] = ["loss", "learning_rate"], ["latent_clean"] = ["loss", "learning_rate"],
            ["sft"] = ["loss", "learning_rate"], ["rwr"] = ["loss", "learning_rate", "max_weight", "weighted_reward"],
            ["dpo"] = dpo, ["dpo_t"] = dpo,
        };
        foreach (var (stage, expected) in tags)
        {
            var lines = File.ReadAllLines(Path.Combine(output.Path, stage, "metrics.jsonl"));
            var events = EventFile.Read(Assert.Single(Directory.GetFiles(Path.Combine(output.Path, stage), "events.out.tfevents.*")));
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            Assert.Equal(lines.Length, events.Count - 1);
            for (var step = 0; step < lines.Length; step++)
            {
                // metrics.jsonl rounds to 6 decimals (at most 5e-7 off); the event file holds the float32 loss itself.
                using var line = JsonDocument.Parse(lines[step]);
                Assert.Equal(step, events[step + 1].Step);
                Assert.Equal(expected, events[step + 1].Values.Select(v => v.Tag));
                Assert.Equal(line.RootElement.GetProperty("loss").GetDouble(), events[step + 1].Values[0].Scalar!.Value, 1e-6);
            }

            if (stage is "sft" or "dpo")
            {
                var losses = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();
                var metrics = stages.GetProperty(stage).GetProperty("metrics");
                Assert.Equal(10, losses.Length);
                // A mean of numbers rounded to 6 decimals, against the mean rounded to 6 decimals: at most 1e-6 apart.
                Assert.Equal(losses.Take(5).Average(), metrics.GetProperty("loss_start").GetDouble(), 1.5e-6);
                Assert.Equal(losses.Skip(5).Average(), metrics.GetProperty("loss_end").GetDouble(), 1.5e-6);
            }
        }

        var images = EventFile.Read(Assert.Single(Directory.GetFiles(Path.Combine(output.Path, "report"), "events.out.tfevents.*")));
        var samples = images.SelectMany(e => e.Values).ToArray();
        Assert.Contains(samples, v => v.Tag == "samples/dpo/0");
        Assert.All(samples, v => Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(v.Image!, 0, 6)));
        Assert.All(samples, v => Assert.Equal((64, 64), (v.ImageWidth, v.ImageHeight))); // 8×8 frames at 8× scale
    }

    /// <summary>report.md shows both reward models' accuracies with and without ties, with the oracle's beside them, as results.json has them.</summary>
    private static void ReportShowsTheRewardModelsAccuracy(string report, JsonElement root)
    {
        Assert.Contains("## Reward models", report);
        Assert.Contains("| dimension | vr (btt(theta: 5.0)) | vr_bt (bt) | oracle (ceiling) |", report);
        string Cell(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "–" : e.GetDouble().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (mode, title) in new[] { ("without_ties", "### Without ties"), ("with_ties", "### With ties") })
        {
            var table = report[report.IndexOf(title, StringComparison.Ordinal)..];
            foreach (var dimension in new[] { "VQ", "MQ", "TA", "Overall" })
            {
                var cells = new[] { root.GetProperty("reward_accuracy").GetProperty("vr"), root.GetProperty("reward_accuracy").GetProperty("vr_bt"), root.GetProperty("oracle_accuracy") }
                    .Select(a => Cell(a.GetProperty(dimension).GetProperty(mode)));
                Assert.Contains($"| {dimension} | {string.Join(" | ", cells)} |", table);
            }
        }
    }

    private static readonly string[] StoredStages = ["ae", "base", "base_cfg4", "dpo", "dpo_t", "latent", "latent_clean", "nrg_clean", "nrg_ta", "nrg_vq_mq", "report", "rwr", "sft", "vr", "vr_bt"];

    /// <summary>The stages of a results.json whose <c>cached</c> flag is <paramref name="cached"/>, sorted.</summary>
    private static string[] Cached(string results, bool cached)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        return json.RootElement.GetProperty("stages").EnumerateObject()
            .Where(s => s.Value.GetProperty("cached").GetBoolean() == cached)
            .Select(s => s.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}

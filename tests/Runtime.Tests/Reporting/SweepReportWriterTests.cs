using System.Globalization;
using System.Text.Json;
using Pipeline.Runtime.Execution.Reporting;
using Pipeline.Tests.Shared;

namespace Pipeline.Runtime.Tests.Reporting;

/// <summary>
/// The sweep report on hand-written results.json files, so every number is known in advance: which leaves are
/// metrics (stage metrics, results sections; not loss curves, timings or strings), the table per group with a row
/// per point, a plot only for metrics that change, and sweep.json.
/// </summary>
public sealed class SweepReportWriterTests
{
    /// <summary>A results.json as ResultsWriter lays it out (keys of a map in ordinal order).</summary>
    private static string Results(double lossEnd, double vq, double? diverged) => $$"""
        {
          "experiment": "beta_sweep", "source_sha256": "x", "seed": 7, "device": "cpu", "runtime_version": "1",
          "stages": {
            "dpo": { "kind": "flow_dpo", "hash": "h", "cached": false, "resumed_from_step": null, "seconds": 12.5,
                     "metrics": { "grad": {{(diverged is { } d ? d.ToString(CultureInfo.InvariantCulture) : "null")}}, "loss_curve": [1.0, 0.5],
                                  "loss_end": {{lossEnd.ToString(CultureInfo.InvariantCulture)}}, "space": "latent", "steps": 40 } },
            "rm": { "kind": "video_reward", "hash": "r", "cached": true, "resumed_from_step": null, "seconds": 0.1, "metrics": { "steps": 10 } }
          },
          "win_rates": { "oracle": { "dpo": { "VQ": {{vq.ToString(CultureInfo.InvariantCulture)}}, "n": 256 } } }
        }
        """;

    [Fact]
    public void Metrics_are_the_numeric_leaves_of_stage_metrics_and_results_sections()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("results.json"), Results(0.25, 0.75, null));

        var metrics = SweepReportWriter.ReadMetrics(folder.File("results.json"));

        Assert.Equal(["dpo.grad", "dpo.loss_end", "dpo.steps", "rm.steps", "win_rates.oracle.dpo.VQ", "win_rates.oracle.dpo.n"], metrics.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Null(metrics.Single(m => m.Id == "dpo.grad").Value);
        Assert.Equal(0.75, metrics.Single(m => m.Id == "win_rates.oracle.dpo.VQ").Value);
        Assert.Equal("win_rates", metrics.Single(m => m.Id == "win_rates.oracle.dpo.n").Group);
        Assert.Empty(SweepReportWriter.ReadMetrics(folder.File("missing.json")));
    }

    [Fact]
    public void Sweep_md_has_a_row_per_point_per_group_and_a_plot_per_changing_metric()
    {
        using var folder = new TempFolder();
        var betas = new[] { "100", "500", "2000" };
        var lossEnds = new[] { 0.5, 0.25, 0.125 };
        var vqs = new[] { 0.5, 0.625, 0.75 };
        var points = new List<SweepPoint>();
        for (var i = 0; i < 3; i++)
        {
            var point = Path.Combine(folder.Path, $"point-{i}");
            Directory.CreateDirectory(point);
            File.WriteAllText(Path.Combine(point, "results.json"), Results(lossEnds[i], vqs[i], i == 1 ? null : 1.5));
            points.Add(new SweepPoint(i, point, [("dpo.beta", betas[i])]));
        }

        var path = SweepReportWriter.Write(folder.Path, points);

        Assert.Equal(folder.File("sweep.md"), path);
        var text = File.ReadAllText(path);
        Assert.Contains("# Sweep: beta_sweep", text);
        Assert.Contains("every metric that differs between points is plotted against each swept path it changes with when the other paths are held, on that path's own axis (logarithmic for `dpo.beta`).", text);
        Assert.Contains("| [0](point-0/report.md) | 100 | dpo | rm |", text);
        Assert.Contains("| point | dpo.beta | grad | loss_end | steps |", text);
        Assert.Contains("| [0](point-0/report.md) | 100 | 1.5 | 0.5 | 40 |", text);
        Assert.Contains("| [1](point-1/report.md) | 500 | null | 0.25 | 40 |", text);
        Assert.Contains("| [2](point-2/report.md) | 2000 | 1.5 | 0.125 | 40 |", text);
        Assert.Contains("## win_rates", text);
        Assert.Contains("| [2](point-2/report.md) | 2000 | 0.75 | 256 |", text);

        // loss_end and VQ change: plotted. steps, n and grad (1.5 where it is a number) do not: no plot.
        Assert.Contains("![dpo.loss_end against dpo.beta](plots/sweep_dpo_loss_end.png)", text);
        Assert.Contains("![win_rates.oracle.dpo.VQ against dpo.beta](plots/sweep_win_rates_oracle_dpo_VQ.png)", text);
        Assert.Equal(["sweep_dpo_loss_end.png", "sweep_win_rates_oracle_dpo_VQ.png"], Directory.GetFiles(folder.File("plots")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal((720, 420), PngFile.Validate(folder.File("plots/sweep_dpo_loss_end.png")));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));

        var json = JsonDocument.Parse(File.ReadAllText(folder.File("sweep.json"))).RootElement;
        Assert.Equal(2000, json.GetProperty("points")[2].GetProperty("values").GetProperty("dpo.beta").GetDouble());
        Assert.Equal("point-2", json.GetProperty("points")[2].GetProperty("folder").GetString());
        Assert.Equal(0.125, json.GetProperty("points")[2].GetProperty("metrics").GetProperty("dpo.loss_end").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("points")[1].GetProperty("metrics").GetProperty("dpo.grad").ValueKind);
        Assert.Equal("plots/sweep_dpo_loss_end.png", json.GetProperty("plots").GetProperty("dpo.loss_end").GetProperty("dpo.beta").GetString());
    }

    [Fact]
    public void A_two_axis_sweep_lists_both_values_and_plots_one_series_per_value_of_the_second()
    {
        using var folder = new TempFolder();
        var points = new List<SweepPoint>();
        var i = 0;
        foreach (var space in new[] { "\"latent\"", "\"pixel\"" })
        {
            foreach (var beta in new[] { "100", "500" })
            {
                var point = Path.Combine(folder.Path, $"point-{i}");
                Directory.CreateDirectory(point);
                File.WriteAllText(Path.Combine(point, "results.json"), Results(i + 1, 0.5, 1));
                points.Add(new SweepPoint(i, point, [("dpo.space", space), ("dpo.beta", beta)]));
                i++;
            }
        }

        var text = File.ReadAllText(SweepReportWriter.Write(folder.Path, points));

        Assert.Contains("4 points over `dpo.space` × `dpo.beta`", text);
        Assert.Contains("| point | dpo.space | dpo.beta | stages run | stages cached |", text);
        Assert.Contains("| [3](point-3/report.md) | \"pixel\" | 500 | 1 | 4 | 40 |", text);

        // loss_end changes with both paths: a plot against each, on its own axis.
        Assert.Contains("![dpo.loss_end against dpo.space](plots/sweep_dpo_loss_end_vs_dpo_space.png)", text);
        Assert.Contains("![dpo.loss_end against dpo.beta](plots/sweep_dpo_loss_end_vs_dpo_beta.png)", text);
        PngFile.Validate(folder.File("plots/sweep_dpo_loss_end_vs_dpo_space.png"));
        PngFile.Validate(folder.File("plots/sweep_dpo_loss_end_vs_dpo_beta.png"));
    }

    /// <summary>
    /// Two swept stages: each stage's metrics change with its own setting only. The report used to plot every metric
    /// against the first swept setting, so dpo_lora.loss_end against dpo_full.beta.
    /// </summary>
    [Fact]
    public void A_sweep_of_two_stages_plotted_one_stage_s_metric_against_the_other_stage_s_setting()
    {
        using var folder = new TempFolder();
        var points = new List<SweepPoint>();
        var i = 0;
        foreach (var beta in new[] { "100", "500", "2000" })
        {
            foreach (var lr in new[] { "1e-4", "1e-3" })
            {
                var point = Path.Combine(folder.Path, $"point-{i}");
                Directory.CreateDirectory(point);
                var full = 1.0 / double.Parse(beta, CultureInfo.InvariantCulture);
                var lora = double.Parse(lr, CultureInfo.InvariantCulture);
                File.WriteAllText(Path.Combine(point, "results.json"), $$"""
                    { "experiment": "two", "stages": {
                      "dpo_full": { "kind": "flow_dpo", "cached": false, "seconds": 1, "metrics": { "loss_end": {{full.ToString("R", CultureInfo.InvariantCulture)}} } },
                      "dpo_lora": { "kind": "flow_dpo", "cached": false, "seconds": 1, "metrics": { "loss_end": {{lora.ToString("R", CultureInfo.InvariantCulture)}} } } },
                      "win_rates": { "oracle": { "both": {{(full + lora).ToString("R", CultureInfo.InvariantCulture)}} } } }
                    """);
                points.Add(new SweepPoint(i++, point, [("dpo_full.beta", beta), ("dpo_lora.lr", lr)]));
            }
        }

        var text = File.ReadAllText(SweepReportWriter.Write(folder.Path, points));

        Assert.Equal(
            [
                "sweep_dpo_full_loss_end_vs_dpo_full_beta.png",
                "sweep_dpo_lora_loss_end_vs_dpo_lora_lr.png",
                "sweep_win_rates_oracle_both_vs_dpo_full_beta.png",
                "sweep_win_rates_oracle_both_vs_dpo_lora_lr.png",
            ],
            Directory.GetFiles(folder.File("plots")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("![dpo_lora.loss_end against dpo_lora.lr](plots/sweep_dpo_lora_loss_end_vs_dpo_lora_lr.png)", text);
        Assert.DoesNotContain("![dpo_lora.loss_end against dpo_full.beta]", text);
        var json = JsonDocument.Parse(File.ReadAllText(folder.File("sweep.json"))).RootElement.GetProperty("plots");
        Assert.Equal(["dpo_lora.lr"], json.GetProperty("dpo_lora.loss_end").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["dpo_full.beta", "dpo_lora.lr"], json.GetProperty("win_rates.oracle.both").EnumerateObject().Select(p => p.Name));
        foreach (var file in Directory.GetFiles(folder.File("plots")))
        {
            Assert.Equal((720, 420), PngFile.Validate(file));
        }
    }

    [Fact]
    public void The_PNG_checker_uses_the_standard_CRC_32()
    {
        // The CRC-32 check value of the ASCII digits 1 to 9 (the catalogue of parametrised CRC algorithms).
        Assert.Equal(0xCBF43926u, PngFile.Crc32("123456789"u8));
    }
}

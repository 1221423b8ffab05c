using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Kinds.WinRates;
using Pipeline.Runtime.Torch;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// Writes <c>report.md</c> beside <c>results.json</c>: the run's stages with their key metrics, a loss-curve PNG per
/// training stage, the reward models' accuracy tables (<see cref="RewardAccuracyTables"/>), and per <c>win_rates</c>
/// stage and judge the win-rate table with 95 % intervals, a bar plot with those intervals, the generators' mean
/// z-scores, and sample videos of every generator as animated GIFs, which also go to TensorBoard as images.
/// The CLI calls <see cref="Write"/> after a run; plots go to <c>plots/</c>, GIFs to <c>samples/</c>.
/// </summary>
public static class ReportWriter
{
    public const string FileName = "report.md";

    /// <summary>
    /// Writes <c>DIR/report.md</c> (and its plots and GIFs) and returns its path. Without a working ffmpeg the report
    /// has no GIFs, says why in their place, and <paramref name="warn"/> gets one PIPE4009 warning.
    /// </summary>
    public static string Write(string outputDirectory, RunResult result, RunContext context, Action<PipelineException>? warn = null, DecidedExpectations? expectations = null)
    {
        var gifs = new GifOutcome();
        Directory.CreateDirectory(outputDirectory);
        var text = new StringBuilder();
        var info = result.Info;
        text.AppendLine(CultureInfo.InvariantCulture, $"# {info.Name}");
        text.AppendLine();
        var device = context.Device.Resolve();
        var deviceName = device.type == TorchSharp.DeviceType.CUDA ? $"cuda:{Math.Max(0, (int)device.index)}" : "cpu";
        text.AppendLine(CultureInfo.InvariantCulture, $"Seed {info.Seed}, device {deviceName}, runtime {info.RuntimeVersion}. The numbers are those of `results.json`; intervals are 95 % Wilson score intervals.");
        text.AppendLine();
        ExpectationResults.AppendMarkdown(text, expectations ?? DecidedExpectations.None);
        text.AppendLine("## Stages");
        text.AppendLine();
        text.AppendLine("| stage | kind | seconds | key metrics |");
        text.AppendLine("| --- | --- | ---: | --- |");
        foreach (var (name, output) in result.Stages.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var keys = new[] { "loss_start", "loss_end", "reconstruction_mse", "reconstruction_psnr_db", "parameters", "space" };
            var metrics = string.Join(", ", keys.Where(output.Metrics.ContainsKey).Select(k => k is "loss_start" or "loss_end" && output.Metrics[k] is null
                ? $"{k} too short to tell"
                : $"{k} {Format(output.Metrics[k])}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {output.Kind} | {output.Seconds:0.0} | {metrics} |");
        }

        text.AppendLine();
        // A cached stage's curve comes back from the stage cache as a list of boxed numbers.
        var curves = result.Stages
            .Select(p => (Name: p.Key, Output: p.Value, Curve: ReportValues.Numbers(p.Value.Metrics.GetValueOrDefault("loss_curve"))))
            .Where(c => c.Curve is { Count: > 1 })
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();
        if (curves.Length > 0)
        {
            text.AppendLine("## Training losses");
            text.AppendLine();
            foreach (var (name, output, curve) in curves)
            {
                var file = $"plots/loss_{Slug(name)}.png";
                var steps = output.Metrics.TryGetValue("steps", out var s) && s is not null ? Convert.ToInt32(s, CultureInfo.InvariantCulture) : curve!.Count;
                Plots.LossCurve(Path.Combine(outputDirectory, file), $"{name} ({output.Kind}) training loss", curve!, steps);
                text.AppendLine(CultureInfo.InvariantCulture, $"![{name} loss]({file})");
                text.AppendLine();
            }
        }

        RewardAccuracyTables.Write(text, result);
        foreach (var (name, output) in result.Stages.Where(p => p.Value.Artifact is WinRatesReport).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            WriteWinRates(text, outputDirectory, name, (WinRatesReport)output.Artifact, gifs);
        }

        if (gifs.Problem is { } problem)
        {
            warn?.Invoke(RuntimeErrors.SampleGifsMissing(problem));
        }

        var path = Path.Combine(outputDirectory, FileName);
        DurableFile.WriteAllText(path, text.ToString());
        return path;
    }

    private static void WriteWinRates(StringBuilder text, string outputDirectory, string stage, WinRatesReport report, GifOutcome gifs)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"## Win rates: {stage}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Methods against the baseline **{report.Baseline}** on the same prompts and seeds, n = {report.N} (prompt, seed) samples each; a tie counts ½.");
        text.AppendLine();
        foreach (var judge in report.Rates.Select(r => r.Judge).Distinct())
        {
            var rates = report.Rates.Where(r => r.Judge == judge).ToArray();
            var dimensions = rates.Select(r => r.Dimension).Distinct().ToArray();
            text.AppendLine(CultureInfo.InvariantCulture, $"### Judge: {judge}");
            text.AppendLine();
            text.AppendLine("| method | " + string.Join(" | ", dimensions) + " |");
            text.AppendLine("| --- |" + string.Concat(dimensions.Select(_ => " --- |")));
            foreach (var method in report.Methods.Distinct())
            {
                var cells = dimensions.Select(d => rates.First(r => r.Method == method && r.Dimension == d).Rate).Select(r => $"{r.Rate:0.000} [{r.Lower:0.000}, {r.Upper:0.000}]");
                text.AppendLine(CultureInfo.InvariantCulture, $"| {method} | {string.Join(" | ", cells)} |");
            }

            text.AppendLine();
            var file = $"plots/win_rates_{Slug(stage)}_{Slug(judge)}.png";
            Plots.WinRateBars(Path.Combine(outputDirectory, file), $"{stage}: win rates vs {report.Baseline} (judge {judge}, n = {report.N})", report.Methods.Distinct().ToArray(), dimensions, (m, d) =>
            {
                var r = rates.First(x => x.Method == m && x.Dimension == d).Rate;
                return (r.Rate, r.Lower, r.Upper);
            });
            text.AppendLine(CultureInfo.InvariantCulture, $"![win rates, judge {judge}]({file})");
            text.AppendLine();
            if (report.MeanScores.TryGetValue(judge, out var means))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Mean z-scores under {judge} (0 is the judge's reference mean, 1 one standard deviation):");
                text.AppendLine();
                text.AppendLine("| generator | " + string.Join(" | ", dimensions) + " |");
                text.AppendLine("| --- |" + string.Concat(dimensions.Select(_ => " ---: |")));
                foreach (var generator in new[] { report.Baseline }.Concat(report.Methods).Distinct())
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {generator} | {string.Join(" | ", dimensions.Select(d => means[generator][d].ToString("0.00", CultureInfo.InvariantCulture)))} |");
                }

                text.AppendLine();
            }
        }

        if (report.Samples.Values.Any(s => s.Count > 0))
        {
            var images = new List<EventImage>();
            text.AppendLine("### Samples");
            text.AppendLine();
            foreach (var generator in new[] { report.Baseline }.Concat(report.Methods).Distinct())
            {
                var samples = report.Samples[generator];
                text.AppendLine(CultureInfo.InvariantCulture, $"**{generator}**");
                text.AppendLine();
                for (var i = 0; i < samples.Count; i++)
                {
                    var file = $"samples/{Slug(stage)}/{Slug(generator)}_{i}.gif";
                    if (gifs.TryWrite(samples[i].Video, Path.Combine(outputDirectory, file)))
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"![{generator}: {samples[i].Prompt}]({file}) ");
                        images.Add(GifImage($"samples/{generator}/{i}", Path.Combine(outputDirectory, file)));
                    }
                }

                if (gifs.Problem is { } problem)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"(No GIFs: {problem}.)");
                }

                text.AppendLine();
                text.AppendLine("Prompts: " + string.Join("; ", samples.Select((s, i) => $"{i}: {s.Prompt}")));
                text.AppendLine();
            }

            if (images.Count > 0)
            {
                // Beside the stage's other files, so TensorBoard shows the samples as the run STAGE.
                EventFileWriter.WriteImages(Path.Combine(outputDirectory, stage), images);
            }
        }
    }

    /// <summary>A GIF the report wrote, as a TensorBoard image (which plays it); its size from the GIF's logical screen.</summary>
    private static EventImage GifImage(string tag, string path)
    {
        var bytes = File.ReadAllBytes(path);
        return new EventImage(tag, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), bytes);
    }

    /// <summary>Writes GIFs until the first failure, then writes none and keeps the reason (one warning per report, not one per GIF).</summary>
    private sealed class GifOutcome
    {
        public string? Problem { get; private set; }

        public bool TryWrite(Video video, string path)
        {
            if (Problem is not null)
            {
                return false;
            }

            try
            {
                GifWriter.Write(video, path);
                return true;
            }
            catch (GifUnavailableException error)
            {
                Problem = error.Message;
                return false;
            }
        }
    }

    private static string Format(object? value) => value switch
    {
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        null => "null",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    internal static string Slug(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
}

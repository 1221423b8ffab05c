using System.Text.Json;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Kinds.WinRates;

/// <summary>
/// The stage cache's form of a win-rate report: <c>report.json</c>, the rates, the mean z-scores and the sample videos
/// of the report's GIFs.
/// </summary>
public static class WinRatesArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<WinRatesReport>(
        "win_rates_report",
        (report, folder, _) => DurableFile.WriteAllText(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(StoredReport.From(report))),
        (folder, _) => (JsonSerializer.Deserialize<StoredReport>(File.ReadAllText(Path.Combine(folder, "report.json")))
            ?? throw new InvalidDataException("empty report.json")).ToReport());

    private sealed record StoredVideo(string Prompt, int[] Shape, float[] Data);

    private sealed record StoredReport(
        string Baseline,
        string[] Methods,
        int N,
        JudgedWinRate[] Rates,
        Dictionary<string, Dictionary<string, Dictionary<string, double>>> MeanScores,
        Dictionary<string, StoredVideo[]> Samples)
    {
        public static StoredReport From(WinRatesReport report) => new(
            report.Baseline,
            report.Methods.ToArray(),
            report.N,
            report.Rates.ToArray(),
            report.MeanScores.ToDictionary(j => j.Key, j => j.Value.ToDictionary(g => g.Key, g => g.Value.ToDictionary(d => d.Key, d => d.Value))),
            report.Samples.ToDictionary(g => g.Key, g => g.Value.Select(v => new StoredVideo(v.Prompt, v.Video.Shape.ToArray(), v.Video.Data)).ToArray()));

        public WinRatesReport ToReport() => new(
            Baseline,
            Methods,
            N,
            Rates,
            MeanScores.ToDictionary(
                j => j.Key,
                j => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>)j.Value.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, double>)g.Value, StringComparer.Ordinal),
                StringComparer.Ordinal),
            Samples.ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<PromptedVideo>)g.Value.Select(v => new PromptedVideo(v.Prompt, new Video(new VideoShape(v.Shape[0], v.Shape[1], v.Shape[2], v.Shape[3]), v.Data))).ToArray(),
                StringComparer.Ordinal));
    }
}

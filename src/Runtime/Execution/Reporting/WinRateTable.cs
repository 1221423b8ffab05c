using System.Text.Json;
using Pipeline.Catalog.Expectations;
using Pipeline.Catalog.Statistics;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// The win rates of one run, read back from its results.json (<c>win_rates.JUDGE.METHOD.DIMENSION</c> with its
/// <c>n</c>): what expectations and replicate aggregates are computed from, the same way for a run that just ended
/// and for each seed of a replicate set.
/// </summary>
public sealed class WinRateTable
{
    private readonly Dictionary<string, (double Rate, int N)> rates = new(StringComparer.Ordinal);

    private WinRateTable(long seed) => Seed = seed;

    /// <summary>The experiment seed the run used.</summary>
    public long Seed { get; }

    /// <summary>Every measured win rate, ordered by judge, method and dimension (<see cref="ExpectationVocabulary.Dimensions"/> order).</summary>
    public IReadOnlyList<MetricReference> Metrics => rates.Keys
        .Select(MetricReference.FromResultPath)
        .OfType<MetricReference>()
        .OrderBy(m => m.Judge, StringComparer.Ordinal)
        .ThenBy(m => m.Stage, StringComparer.Ordinal)
        .ThenBy(m => DimensionOrder(m.Dimension))
        .ToArray();

    /// <summary>The table of a results.json document (its root object); a run without win rates gives an empty one.</summary>
    public static WinRateTable FromResults(JsonElement root)
    {
        var table = new WinRateTable(root.TryGetProperty("seed", out var seed) && seed.ValueKind == JsonValueKind.Number ? seed.GetInt64() : 0);
        if (!root.TryGetProperty(ExpectationVocabulary.WinRatesSection, out var section) || section.ValueKind != JsonValueKind.Object)
        {
            return table;
        }

        foreach (var judge in section.EnumerateObject().Where(j => j.Value.ValueKind == JsonValueKind.Object))
        {
            foreach (var method in judge.Value.EnumerateObject().Where(m => m.Value.ValueKind == JsonValueKind.Object))
            {
                if (!method.Value.TryGetProperty(ExpectationVocabulary.SampleCountKey, out var n) || !n.TryGetInt32(out var count) || count < 1)
                {
                    continue;
                }

                foreach (var dimension in method.Value.EnumerateObject().Where(d => d.Value.ValueKind == JsonValueKind.Number && ExpectationVocabulary.Dimensions.Contains(d.Name)))
                {
                    var metric = new MetricReference(method.Name, ExpectationVocabulary.WinRate, judge.Name, dimension.Name);
                    table.rates[metric.ResultPath] = (dimension.Value.GetDouble(), count);
                }
            }
        }

        return table;
    }

    /// <summary>The table of the results.json file at <paramref name="path"/>.</summary>
    public static WinRateTable Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return FromResults(document.RootElement);
    }

    /// <summary>The metric as this run measured it, or null.</summary>
    public SeedRate? Find(MetricReference metric) =>
        rates.TryGetValue(metric.ResultPath, out var value) ? new SeedRate(Seed, value.Rate, value.N) : null;

    /// <summary>The per-seed measurements of <paramref name="metric"/> in <paramref name="runs"/>; null unless every run measured it.</summary>
    public static IReadOnlyList<SeedRate>? Across(IReadOnlyList<WinRateTable> runs, MetricReference metric)
    {
        var seeds = runs.Select(r => r.Find(metric)).ToArray();
        return seeds.Length > 0 && seeds.All(s => s is not null) ? seeds.Select(s => s!).ToArray() : null;
    }

    /// <summary>The position of a dimension in <see cref="ExpectationVocabulary.Dimensions"/> (VQ, MQ, TA, Overall).</summary>
    public static int DimensionOrder(string dimension) => ExpectationVocabulary.Dimensions.ToList().IndexOf(dimension);
}

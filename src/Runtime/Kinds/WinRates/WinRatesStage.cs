using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Kinds.WinRates;

/// <summary>Options of <c>win_rates</c>; defaults and documentation are in the catalogue.</summary>
public sealed record WinRatesOptions : StageOptions
{
    public required PromptSet Prompts { get; set; }

    public required IReadOnlyList<IVideoGenerator> Methods { get; set; }

    public required IVideoGenerator Baseline { get; set; }

    /// <summary>Reward stages and the world's oracle (<c>world.oracle</c>).</summary>
    public required IReadOnlyList<IVideoJudge> Judges { get; set; }

    public required int Seeds { get; set; }

    public required int Gifs { get; set; }
}

/// <summary>
/// <c>win_rates</c>: every method and the baseline generate one video per (prompt, seed) for the same prompts and
/// seeds; each judge scores them; per judge, method and dimension (and Overall, the mean of the judge's z-scores) the
/// win rate is the fraction of samples where the method beats the baseline, a tie counting ½, with a 95 % Wilson
/// interval (<see cref="WinRates"/>). Writes <c>results.json</c>'s <c>win_rates</c> section
/// (<c>{ judge: { method: { VQ, MQ, TA, Overall, n } } }</c>); the intervals and the mean z-scores of every
/// generator go into the stage's metrics, the sample videos into its <see cref="WinRatesReport"/>.
/// </summary>
public static class WinRatesStage
{
    public const string Section = "win_rates";
    public const string OverallDimension = DimensionNames.Overall;

    public static StageOutput Run(StageContext context, string name, WinRatesOptions options)
    {
        var prompts = options.Prompts;
        var baseline = options.Baseline;
        var methodNames = options.Methods.Select((m, i) => ArtifactNames.Find(context, m, $"method{i + 1}")).ToArray();
        var baselineName = ArtifactNames.Find(context, baseline, "baseline");
        var judges = options.Judges.Select((j, i) => Judge(context, j, i)).ToArray();
        var n = prompts.Count * options.Seeds;
        if (n < 256)
        {
            context.Log($"stage {name}: n = {n} samples per method; findings need at least 256 (contracts.md)");
        }

        // Every generator (the baseline first) makes one video per (prompt, seed), the same prompts and seeds for all.
        var seeds = Enumerable.Range(0, options.Seeds).Select(s => (long)context.StageSeed(name) + s).ToArray();
        var allPrompts = seeds.SelectMany(_ => prompts).ToArray();
        var generators = new[] { (Name: baselineName, Generator: baseline) }.Concat(methodNames.Zip(options.Methods, (m, g) => (Name: m, Generator: g))).ToArray();
        var videos = Generate(context, name, generators, prompts, seeds, n);

        // Each judge scores every video: the win rates of the methods against the baseline, and where each generator lands.
        var rates = new List<JudgedWinRate>();
        var section = context.ResultSections.TryGetValue(Section, out var existing) && existing is SortedDictionary<string, object?> map
            ? map
            : new SortedDictionary<string, object?>(StringComparer.Ordinal);
        var intervals = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        var meanScores = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>>(StringComparer.Ordinal);
        var meanMetrics = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (judgeName, judge) in judges)
        {
            var dimensions = judge.Dimensions.Append(OverallDimension).ToArray();
            var scores = new Dictionary<string, double[][]>(StringComparer.Ordinal);
            foreach (var (generatorName, list) in videos)
            {
                var raw = judge.Score(list, allPrompts);
                scores[generatorName] = raw.Append(WinRates.Overall(raw, judge.Mean, judge.StandardDeviation)).ToArray();
            }

            var judgeSection = section.TryGetValue(judgeName, out var j) && j is SortedDictionary<string, object?> js ? js : new SortedDictionary<string, object?>(StringComparer.Ordinal);
            intervals[judgeName] = CompareMethods(judgeName, scores, dimensions, methodNames, baselineName, n, judgeSection, rates);
            section[judgeName] = judgeSection;
            (meanScores[judgeName], meanMetrics[judgeName]) = MeanZScores(judge, scores, dimensions);
        }

        context.ResultSections[Section] = section;
        var samples = videos.ToDictionary(
            p => p.Key,
            p => (IReadOnlyList<PromptedVideo>)p.Value.Take(Math.Min(options.Gifs, prompts.Count)).Select((v, i) => new PromptedVideo(prompts[i], v)).ToArray(),
            StringComparer.Ordinal);
        var report = new WinRatesReport(baselineName, methodNames, n, rates, meanScores, samples);
        var output = new StageOutput(name, "win_rates", report);
        output.Metrics["baseline"] = baselineName;
        output.Metrics["n"] = n;
        output.Metrics["interval"] = "Wilson score, 95 %";
        output.Metrics["intervals"] = intervals;
        output.Metrics["mean_z_scores"] = meanMetrics;
        return output;
    }

    /// <summary>Each generator's videos for every seed and prompt, in seed-major order; a generator named twice is sampled once.</summary>
    private static Dictionary<string, IReadOnlyList<Video>> Generate(StageContext context, string stage, (string Name, IVideoGenerator Generator)[] generators, PromptSet prompts, long[] seeds, int n)
    {
        var videos = new Dictionary<string, IReadOnlyList<Video>>(StringComparer.Ordinal);
        foreach (var (generatorName, generator) in generators)
        {
            if (videos.ContainsKey(generatorName))
            {
                continue;
            }

            videos[generatorName] = seeds.SelectMany(seed => generator.Generate(prompts, seed)).ToArray();
            context.Log($"stage {stage}: {generatorName} generated {n} videos");
        }

        return videos;
    }

    /// <summary>
    /// Under one judge, each method's win rate against the baseline per dimension: into the judge's results section
    /// (rates and n) and <paramref name="rates"/>; returns the 95 % intervals for the stage's metrics.
    /// </summary>
    private static SortedDictionary<string, object?> CompareMethods(
        string judgeName,
        Dictionary<string, double[][]> scores,
        string[] dimensions,
        string[] methodNames,
        string baselineName,
        int n,
        SortedDictionary<string, object?> judgeSection,
        List<JudgedWinRate> rates)
    {
        var judgeIntervals = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var method in methodNames)
        {
            var entry = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            var entryIntervals = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            for (var d = 0; d < dimensions.Length; d++)
            {
                var rate = WinRates.Compare(scores[method][d], scores[baselineName][d]);
                rates.Add(new JudgedWinRate(judgeName, method, dimensions[d], rate));
                entry[dimensions[d]] = Round(rate.Rate);
                entryIntervals[dimensions[d]] = new[] { Round(rate.Lower), Round(rate.Upper) };
            }

            entry["n"] = n;
            judgeSection[method] = entry;
            judgeIntervals[method] = entryIntervals;
        }

        return judgeIntervals;
    }

    /// <summary>Each generator's mean z-score per dimension under one judge: where it lands on the judge's scale.</summary>
    private static (IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Means, SortedDictionary<string, object?> Metrics) MeanZScores(
        IVideoJudge judge, Dictionary<string, double[][]> scores, string[] dimensions)
    {
        var perGenerator = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var perGeneratorMetrics = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (generatorName, s) in scores)
        {
            var means = new SortedDictionary<string, double>(StringComparer.Ordinal);
            for (var d = 0; d < dimensions.Length; d++)
            {
                means[dimensions[d]] = d < judge.Dimensions.Count
                    ? Round(s[d].Average(v => (v - judge.Mean[d]) / judge.StandardDeviation[d]))
                    : Round(s[d].Average());
            }

            perGenerator[generatorName] = means;
            perGeneratorMetrics[generatorName] = new SortedDictionary<string, object?>(means.ToDictionary(p => p.Key, p => (object?)p.Value), StringComparer.Ordinal);
        }

        return (perGenerator, perGeneratorMetrics);
    }

    private static (string Name, IVideoJudge Judge) Judge(StageContext context, IVideoJudge judge, int index) =>
        (judge is OracleJudge ? OracleJudge.Name : ArtifactNames.Find(context, judge, $"judge{index + 1}"), judge);

    private static double Round(double value) => Math.Round(value, 6);
}

using Pipeline.Catalog;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// The synthetic world's oracle as an <see cref="IVideoJudge"/>: raw oracle scores for VQ, MQ and TA, z-normalised
/// with the statistics of the world's reference set (its video set). Prompts must be prompts of the world.
/// </summary>
public sealed class OracleJudge : IVideoJudge
{
    /// <summary>The key the oracle has in results.json (contracts.md: a judge is "oracle" or a reward stage).</summary>
    public const string Name = "oracle";

    public OracleJudge(Oracle oracle)
    {
        Oracle = oracle;
        var normalization = oracle.Normalization ?? throw new ArgumentException("the oracle needs its reference-set normalisation (SyntheticWorld.Oracle has it)");
        Mean = new[] { normalization.Mean.VQ, normalization.Mean.MQ, normalization.Mean.TA };
        StandardDeviation = new[] { normalization.StandardDeviation.VQ, normalization.StandardDeviation.MQ, normalization.StandardDeviation.TA };
    }

    public Oracle Oracle { get; }

    public IReadOnlyList<string> Dimensions { get; } = DimensionNames.Rated;

    public IReadOnlyList<double> Mean { get; }

    public IReadOnlyList<double> StandardDeviation { get; }

    public double[][] Score(IReadOnlyList<Video> videos, IReadOnlyList<string> prompts)
    {
        if (videos.Count != prompts.Count)
        {
            throw new ArgumentException($"{videos.Count} videos but {prompts.Count} prompts");
        }

        var parsed = prompts.Select(text => SyntheticPrompt.TryParse(text, out var prompt) && prompt is not null
            ? prompt
            : throw new ArgumentException($"'{text}' is not a prompt of the synthetic world; the oracle judges only those")).ToArray();
        var raw = new OracleScores[videos.Count];
        Parallel.For(0, videos.Count, i => raw[i] = Oracle.ScoreRaw(videos[i], parsed[i]));
        return new[] { raw.Select(s => s.VQ).ToArray(), raw.Select(s => s.MQ).ToArray(), raw.Select(s => s.TA).ToArray() };
    }
}

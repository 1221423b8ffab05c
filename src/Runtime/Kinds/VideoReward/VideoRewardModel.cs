using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models.Reward;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>Per-dimension mean and standard deviation of raw reward scores, from the evaluation split.</summary>
public sealed record RewardNormalization(double[] Mean, double[] StandardDeviation)
{
    /// <summary>The statistics of raw scores [N, D] (population standard deviation, floored at 1e-6).</summary>
    public static RewardNormalization Fit(float[,] raw)
    {
        int n = raw.GetLength(0), d = raw.GetLength(1);
        if (n == 0)
        {
            throw new ArgumentException("normalisation needs at least one scored video", nameof(raw));
        }

        var mean = new double[d];
        var deviation = new double[d];
        for (var j = 0; j < d; j++)
        {
            double sum = 0, squares = 0;
            for (var i = 0; i < n; i++)
            {
                sum += raw[i, j];
            }

            mean[j] = sum / n;
            for (var i = 0; i < n; i++)
            {
                squares += (raw[i, j] - mean[j]) * (raw[i, j] - mean[j]);
            }

            deviation[j] = Math.Max(Math.Sqrt(squares / n), 1e-6);
        }

        return new RewardNormalization(mean, deviation);
    }
}

/// <summary>
/// The RewardModel artifact of <c>video_reward</c>: the trained <see cref="VideoRewardNetwork"/> with its
/// dimensions, token mode and loss, and the z-normalisation statistics of its evaluation split. Scores are raw
/// (<c>ScoreRaw</c>) or z-normalised with Overall = the mean of the z-normalised VQ, MQ and TA
/// (<see cref="ScoreNormalized"/>, contracts.md). As an <see cref="IVideoJudge"/> it gives raw scores with the
/// evaluation split's mean and standard deviation, so win-rate evaluations can use it as a judge.
/// </summary>
public sealed class VideoRewardModel : IVideoJudge
{
    /// <summary>Videos scored per forward pass.</summary>
    public const int ScoringBatch = 128;

    public VideoRewardModel(VideoRewardNetwork network, VideoShape shape, RewardLoss loss, Device device, RewardNormalization? normalization = null)
    {
        Network = network;
        Shape = shape;
        Loss = loss;
        Device = device;
        Normalization = normalization;
    }

    public VideoRewardNetwork Network { get; }

    public VideoShape Shape { get; }

    public IReadOnlyList<string> Dimensions => Network.Dimensions;

    public RewardTokenMode Tokens => Network.Mode;

    public RewardLoss Loss { get; }

    public Device Device { get; }

    /// <summary>
    /// The frame rate the training videos were sampled at from their files (a pair file's <c>fps</c>), at which other
    /// files' videos are best scored too; null when they were not files (the synthetic world) or it is not known.
    /// </summary>
    public double? VideoFps { get; set; }

    /// <summary>The evaluation split's statistics; null until <see cref="Normalize"/> is called or a model file carries them.</summary>
    public RewardNormalization? Normalization { get; private set; }

    /// <summary>The dimensions whose z-scores Overall averages (those of VQ, MQ and TA the model has).</summary>
    public IReadOnlyList<string> OverallParts => Dimensions.Where(DimensionNames.IsRated).ToArray();

    /// <summary>Raw scores [videos, dimensions] of videos given as one flat array (each C·T·H·W), with their prompts.</summary>
    public float[,] ScoreRaw(float[] videos, IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(videos);
        ArgumentNullException.ThrowIfNull(prompts);
        if (videos.Length != prompts.Count * Shape.Length)
        {
            throw new ArgumentException($"{prompts.Count} prompts need {prompts.Count * Shape.Length} video values, got {videos.Length}", nameof(videos));
        }

        return ScoreRaw(VideoRows.FromFloats(Shape, videos), prompts);
    }

    /// <summary>Raw scores [N, D] of videos read a chunk at a time (see <see cref="ScoreRaw(float[], IReadOnlyList{string})"/>).</summary>
    public float[,] ScoreRaw(VideoRows videos, IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(videos);
        ArgumentNullException.ThrowIfNull(prompts);
        var count = prompts.Count;
        if (videos.Count != count || videos.Shape != Shape)
        {
            throw new ArgumentException($"{count} prompts need {count} videos of shape {Shape}, got {videos.Count} of shape {videos.Shape}", nameof(videos));
        }

        var scores = new float[count, Dimensions.Count];
        Network.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < count; start += ScoringBatch)
        {
            using var scope = NewDisposeScope();
            var size = Math.Min(ScoringBatch, count - start);
            var batch = VideoBatch.Range(videos, start, size, Device);
            var tokens = RewardPromptTokens.Encode(prompts.Skip(start).Take(size).ToArray(), Device);
            var values = Network.forward(batch, tokens).to(CPU).data<float>().ToArray();
            for (var i = 0; i < size; i++)
            {
                for (var d = 0; d < Dimensions.Count; d++)
                {
                    scores[start + i, d] = values[(i * Dimensions.Count) + d];
                }
            }
        }

        return scores;
    }

    /// <summary>Raw scores [videos, dimensions].</summary>
    public float[,] ScoreRaw(IReadOnlyList<Video> videos, IReadOnlyList<string> prompts)
    {
        if (videos.Count != prompts.Count)
        {
            throw new ArgumentException($"{videos.Count} videos but {prompts.Count} prompts", nameof(prompts));
        }

        var flat = new float[videos.Count * Shape.Length];
        for (var i = 0; i < videos.Count; i++)
        {
            if (videos[i].Shape != Shape)
            {
                throw new ArgumentException($"video {i} has shape {videos[i].Shape}; this reward model scores {Shape}", nameof(videos));
            }

            videos[i].Data.CopyTo(flat, i * Shape.Length);
        }

        return ScoreRaw(flat, prompts);
    }

    /// <summary>Fits the z-normalisation on raw scores of the evaluation split's videos.</summary>
    public void Normalize(float[,] evalRawScores) => Normalization = RewardNormalization.Fit(evalRawScores);

    /// <summary>
    /// Z-normalised scores [videos, dimensions + 1]: each dimension's (r − mean) / sd, then Overall, the mean of the
    /// z-scores of <see cref="OverallParts"/> (NaN when there are none).
    /// </summary>
    public float[,] ToNormalized(float[,] raw)
    {
        var stats = RequireNormalization();
        int n = raw.GetLength(0), d = Dimensions.Count;
        var parts = OverallParts.Select(p => Dimensions.ToList().IndexOf(p)).ToArray();
        var result = new float[n, d + 1];
        for (var i = 0; i < n; i++)
        {
            double overall = 0;
            for (var j = 0; j < d; j++)
            {
                result[i, j] = (float)((raw[i, j] - stats.Mean[j]) / stats.StandardDeviation[j]);
            }

            foreach (var j in parts)
            {
                overall += result[i, j];
            }

            result[i, d] = parts.Length == 0 ? float.NaN : (float)(overall / parts.Length);
        }

        return result;
    }

    /// <summary>Z-normalised scores with Overall last: [videos, dimensions + 1].</summary>
    public float[,] ScoreNormalized(IReadOnlyList<Video> videos, IReadOnlyList<string> prompts) => ToNormalized(ScoreRaw(videos, prompts));

    /// <inheritdoc />
    IReadOnlyList<double> IVideoJudge.Mean => RequireNormalization().Mean;

    /// <inheritdoc />
    IReadOnlyList<double> IVideoJudge.StandardDeviation => RequireNormalization().StandardDeviation;

    /// <summary>Raw scores [dimension][video] (the <see cref="IVideoJudge"/> layout).</summary>
    public double[][] Score(IReadOnlyList<Video> videos, IReadOnlyList<string> prompts)
    {
        var raw = ScoreRaw(videos, prompts);
        return Enumerable.Range(0, Dimensions.Count).Select(d => Enumerable.Range(0, raw.GetLength(0)).Select(i => (double)raw[i, d]).ToArray()).ToArray();
    }

    private RewardNormalization RequireNormalization() =>
        Normalization ?? throw new InvalidOperationException("the reward model has no normalisation statistics yet; call Normalize with the evaluation split's scores");
}

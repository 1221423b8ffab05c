using Pipeline.Catalog;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Pairs;

public sealed partial class PreferencePairSet
{
    /// <summary>
    /// <c>.relabel(reward, dimensions: [...])</c>: the same pairs labelled by a reward model, as the paper relabels its
    /// training set with VideoReward (videoalign-paper.md §4.1). Each video's reward is r = the mean over
    /// <paramref name="dimensions"/> (all three when null) of the judge's z-normalised scores, the paper's linear
    /// scalarisation (r_VQ + r_MQ + r_TA)/3 on a common scale; TA alone gives the single-dimension runs (Table 4). The
    /// result labels one dimension, Overall: A when r(A) &gt; r(B), B when r(B) &gt; r(A), a tie when equal. Its targets
    /// are the two rewards.
    /// </summary>
    public PreferencePairSet Relabel(IVideoJudge reward, string[]? dimensions = null)
    {
        ArgumentNullException.ThrowIfNull(reward);
        var chosen = dimensions is { Length: > 0 } ? dimensions : reward.Dimensions.Where(DimensionNames.IsRated).ToArray();
        var columns = chosen.Select(d => reward.Dimensions.ToList().IndexOf(d)).ToArray();
        if (columns.Length == 0 || columns.Any(c => c < 0))
        {
            throw new ArgumentException($"the reward scores {string.Join(", ", reward.Dimensions)}, not all of {string.Join(", ", chosen)}", nameof(dimensions));
        }

        var prompts = Pairs.SelectMany(p => new[] { p.Prompt, p.Prompt }).ToArray();
        var videos = Pairs.SelectMany(p => new[] { p.VideoA.Load(), p.VideoB.Load() }).ToArray();
        var scores = reward.Score(videos, prompts);
        double Reward(int video) => columns.Average(c => (scores[c][video] - reward.Mean[c]) / reward.StandardDeviation[c]);
        var relabelled = Pairs.Select((pair, i) =>
        {
            double a = Reward(2 * i), b = Reward((2 * i) + 1);
            var label = a > b ? PreferenceLabel.A : b > a ? PreferenceLabel.B : PreferenceLabel.Tie;
            return pair with
            {
                Labels = new Dictionary<PreferenceDimension, PreferenceLabel> { [PreferenceDimension.Overall] = label },
                TargetsA = new Dictionary<PreferenceDimension, float> { [PreferenceDimension.Overall] = (float)a },
                TargetsB = new Dictionary<PreferenceDimension, float> { [PreferenceDimension.Overall] = (float)b },
            };
        }).ToArray();
        return new PreferencePairSet(Shape, new[] { PreferenceDimension.Overall }, ExtraColumns, relabelled) { Fps = Fps };
    }
}

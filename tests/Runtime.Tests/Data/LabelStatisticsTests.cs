using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;
using Xunit.Abstractions;

namespace Pipeline.Runtime.Tests.Data;

public class LabelStatisticsTests(ITestOutputHelper output)
{
    /// <summary>Defaults: tie rate 15–35 % and oracle accuracy without ties ≥ 80 % on each of VQ, MQ and TA.</summary>
    [Theory]
    [InlineData(7)]
    [InlineData(1)]
    public void Default_annotator_gives_the_required_tie_rate_and_oracle_ceiling(int seed)
    {
        var world = new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>(), seed);
        var pairs = world.Pairs(1500);
        foreach (var dimension in new[] { PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA })
        {
            int ties = 0, correct = 0, decided = 0;
            foreach (var pair in pairs)
            {
                var label = pair.Labels[dimension];
                if (label == PreferenceLabel.Tie)
                {
                    ties++;
                    continue;
                }

                decided++;
                if ((int)label * (pair.ScoresA[dimension] - pair.ScoresB[dimension]) > 0)
                {
                    correct++;
                }
            }

            var tieRate = ties / (double)pairs.Count;
            var accuracy = correct / (double)decided;
            output.WriteLine($"seed {seed} {dimension}: tie rate {tieRate:P1}, oracle accuracy without ties {accuracy:P1}");
            Assert.InRange(tieRate, 0.15, 0.35);
            Assert.True(accuracy >= 0.80, $"{dimension}: oracle accuracy {accuracy}");
        }
    }

    [Fact]
    public void Annotator_ties_exactly_inside_the_threshold()
    {
        var silent = new Annotator(NoiseSd: 0, TieThreshold: 0.3);
        var rng = new SeededRandom(1);
        Assert.Equal(PreferenceLabel.Tie, silent.Label(0.29, rng));
        Assert.Equal(PreferenceLabel.Tie, silent.Label(-0.29, rng));
        Assert.Equal(PreferenceLabel.A, silent.Label(0.3, rng));
        Assert.Equal(PreferenceLabel.B, silent.Label(-0.31, rng));
    }

    [Fact]
    public void Annotator_noise_follows_its_standard_deviation()
    {
        // With threshold 0 and difference d, P(label A) = Φ(d / sd); for d = sd that is Φ(1) ≈ 0.8413.
        var annotator = new Annotator(NoiseSd: 0.5, TieThreshold: 0);
        var rng = new SeededRandom(42);
        var wins = Enumerable.Range(0, 20000).Count(_ => annotator.Label(0.5, rng) == PreferenceLabel.A);
        Assert.Equal(0.8413, wins / 20000.0, 2);
    }
}

public class LabelStatisticsComputeTests
{
    [Fact]
    public void Statistics_agree_with_a_direct_count()
    {
        var world = new SyntheticWorld(KindDefaults.Of<Pipeline.Runtime.Kinds.SyntheticVideos.SyntheticVideosOptions>() with { Prompts = 24, EvalPrompts = 4 }, 9);
        var pairs = world.Pairs(200);
        var statistics = LabelStatistics.Compute(pairs);
        Assert.Equal(4, statistics.Count);
        foreach (var s in statistics)
        {
            var ties = pairs.Count(p => p.Labels[s.Dimension] == PreferenceLabel.Tie);
            var decided = pairs.Where(p => p.Labels[s.Dimension] != PreferenceLabel.Tie).ToArray();
            var correct = decided.Count(p => (int)p.Labels[s.Dimension] * (p.ScoresA[s.Dimension] - p.ScoresB[s.Dimension]) > 0);
            Assert.Equal(ties / 200.0, s.TieRate, 12);
            Assert.Equal(correct / (double)decided.Length, s.OracleAccuracyWithoutTies, 12);
            Assert.InRange(s.OracleAccuracyWithTies, 0, 1);
        }
    }
}

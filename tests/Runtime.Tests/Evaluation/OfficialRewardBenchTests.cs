using System.Globalization;
using System.Text.Json;
using System.Text;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Kinds.VideoReward;

namespace Pipeline.Runtime.Tests.Evaluation;

/// <summary>
/// reward-bench against the official evaluation: random pair and score files — duplicated pairs, exact zero margins,
/// all-tie and tie-free labels — read by <see cref="RewardBench"/>, compared with a transcription of the VideoAlign
/// repository's calc_accuracy.py (<see cref="Official"/>) to 1e-12, and the JSON the command prints read back at full precision.
/// </summary>
public sealed class OfficialRewardBenchTests : IDisposable
{
    private static readonly string[] Dimensions = ["VQ", "MQ", "TA"];
    private readonly string folder = Directory.CreateTempSubdirectory("pipeline-rewardbench-").FullName;

    public static TheoryData<int, string> Files()
    {
        var data = new TheoryData<int, string>();
        foreach (var labels in new[] { "mixed", "all-tie", "no-tie" })
        {
            for (var seed = 1; seed <= 12; seed++)
            {
                data.Add(seed, labels);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Reward_bench_gives_the_official_figures_on_random_files(int seed, string labelKind)
    {
        var random = new Random(seed * 31 + labelKind.Length);
        var videos = Enumerable.Range(0, 2 + random.Next(60)).Select(i => $"videos/v{i}.mp4").ToArray();

        // Scores on a coarse grid (many equal margins and exact zeros), a few of them huge or tiny.
        var scores = videos.ToDictionary(v => v, _ => Dimensions.Select(_ => random.Next(10) switch
        {
            0 => random.NextDouble() * 1e300 - 5e299,
            1 => (random.NextDouble() - 0.5) * 1e-300,
            _ => Math.Round((random.NextDouble() - 0.5) * 4, 1),
        }).ToArray());
        var pairs = new List<(string A, string B, int[] Labels)>();
        var count = 1 + random.Next(300);
        for (var i = 0; i < count; i++)
        {
            if (pairs.Count > 0 && random.Next(5) == 0)
            {
                pairs.Add(pairs[random.Next(pairs.Count)]); // a duplicated pair: same videos, same labels
                continue;
            }

            var a = videos[random.Next(videos.Length)];
            var b = random.Next(8) == 0 ? a : videos[random.Next(videos.Length)]; // the same video twice: margin exactly 0
            pairs.Add((a, b, Dimensions.Select(_ => labelKind switch
            {
                "all-tie" => 0,
                "no-tie" => random.Next(2) * 2 - 1,
                _ => random.Next(3) - 1,
            }).ToArray()));
        }

        var pairsPath = Path.Combine(folder, "pairs.csv");
        var scoresPath = Path.Combine(folder, "scores.csv");
        var text = new StringBuilder("path_A,path_B,prompt,VQ,MQ,TA\n");
        foreach (var (a, b, labels) in pairs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{a},{b},\"a prompt, with a comma\",{string.Join(',', labels.Select(Label))}\n");
        }

        File.WriteAllText(pairsPath, text.ToString());
        File.WriteAllText(scoresPath, "path,reward_VQ,reward_MQ,reward_TA\n" + string.Concat(scores.Select(p => $"{p.Key},{string.Join(',', p.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}\n")));

        var results = RewardBench.Run(pairsPath, scoresPath);
        using var json = JsonDocument.Parse(RewardBench.ToJson(results));
        for (var d = 0; d < Dimensions.Length; d++)
        {
            var h = pairs.Select(p => p.Labels[d]).ToArray();
            var m = pairs.Select(p => scores[p.A][d] - scores[p.B][d]).ToArray();
            var accuracy = results.Single(r => r.Dimension == Dimensions[d]).Accuracy;
            var printed = json.RootElement.GetProperty(Dimensions[d]);

            var withTies = Official.CalcAccuracyWithTies(h, m);
            Assert.Equal(withTies, accuracy.WithTies, 1e-12);
            Assert.Equal(withTies, printed.GetProperty("with_ties").GetDouble(), 1e-12);
            if (labelKind == "all-tie")
            {
                // calc_accuracy_without_ties divides by zero here; reward-bench says the figure does not exist.
                Assert.True(double.IsNaN(accuracy.WithoutTies));
                Assert.Equal(JsonValueKind.Null, printed.GetProperty("without_ties").ValueKind);
            }
            else
            {
                var withoutTies = Official.CalcAccuracyWithoutTies(h, m);
                Assert.Equal(withoutTies, accuracy.WithoutTies, 1e-12);
                Assert.Equal(withoutTies, printed.GetProperty("without_ties").GetDouble(), 1e-12);
            }
        }
    }

    [Fact]
    public void The_json_carries_every_digit_not_four_decimals()
    {
        // 1 of 3 without ties: 0.3333333333333333 (rounding to 4 decimals printed 0.3333, which hides a difference).
        File.WriteAllText(Path.Combine(folder, "pairs.csv"), "path_A,path_B,VQ,MQ,TA\na,b,A,A,A\nc,d,A,A,A\ne,f,A,A,A\n");
        File.WriteAllText(Path.Combine(folder, "scores.csv"), "path,reward_VQ,reward_MQ,reward_TA\na,1,1,1\nb,0,0,0\nc,0,0,0\nd,1,1,1\ne,0,0,0\nf,1,1,1\n");
        var json = RewardBench.ToJson(RewardBench.Run(Path.Combine(folder, "pairs.csv"), Path.Combine(folder, "scores.csv")));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(1.0 / 3, document.RootElement.GetProperty("VQ").GetProperty("without_ties").GetDouble());
        Assert.Contains("0.3333333333333333", json, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static string Label(int h) => h switch { 1 => "A", -1 => "B", _ => "same" };

    /// <summary>
    /// calc_accuracy.py of github.com/KwaiVGI/VideoAlign, transcribed statement by statement (names kept, Python's
    /// dict of counts as fields), written independently of <see cref="PairwiseAccuracy"/> and without its shortcuts:
    /// every pair is first taken out of the bucket it is in, the threshold moves to its |m|, and it is put back into the
    /// bucket that threshold gives it, before the accuracy is taken.
    /// </summary>
    private static class Official
    {
        public static double CalcAccuracyWithoutTies(int[] h, double[] m)
        {
            var (c, d, _, _, _) = SuffStats(h, m, -1);
            return c / (double)(c + d);
        }

        public static double CalcAccuracyWithTies(int[] h, double[] m)
        {
            var (c, d, th, tm, thm) = SuffStats(h, m, -1);

            // Python's sorted() is stable, and so is OrderBy.
            var sortedPairs = h.Zip(m).OrderBy(pair => Math.Abs(pair.Second)).ToArray();
            var tauStar = double.NegativeInfinity;
            var epsilonCurr = -1.0;
            foreach (var (hi, mi) in sortedPairs)
            {
                // Take the pair out of its bucket at the previous threshold.
                if (hi == 0 && Math.Abs(mi) < epsilonCurr)
                {
                    thm--;
                }
                else if (hi == 0)
                {
                    th--;
                }
                else if (Math.Abs(mi) < epsilonCurr)
                {
                    tm--;
                }
                else if (hi * mi > 0)
                {
                    c--;
                }
                else
                {
                    d--;
                }

                epsilonCurr = Math.Abs(mi);

                // And back into its bucket at the new one.
                if (hi == 0 && Math.Abs(mi) <= epsilonCurr)
                {
                    thm++;
                }
                else if (hi == 0)
                {
                    th++;
                }
                else if (Math.Abs(mi) <= epsilonCurr)
                {
                    tm++;
                }
                else if (hi * mi > 0)
                {
                    c++;
                }
                else
                {
                    d++;
                }

                var tauCurr = CalcTau(c, d, th, tm, thm);
                if (tauCurr > tauStar)
                {
                    tauStar = tauCurr;
                }
            }

            return tauStar;
        }

        private static (int C, int D, int Th, int Tm, int Thm) SuffStats(int[] h, double[] m, double epsilon)
        {
            int c = 0, d = 0, th = 0, tm = 0, thm = 0;
            foreach (var (hi, mi) in h.Zip(m))
            {
                if (hi == 0 && Math.Abs(mi) <= epsilon)
                {
                    thm++;
                }
                else if (hi == 0)
                {
                    th++;
                }
                else if (Math.Abs(mi) <= epsilon)
                {
                    tm++;
                }
                else if (hi * mi > 0)
                {
                    c++;
                }
                else
                {
                    d++;
                }
            }

            return (c, d, th, tm, thm);
        }

        private static double CalcTau(int c, int d, int th, int tm, int thm) => (c + thm) / (double)(c + d + th + tm + thm);
    }
}

using System.Globalization;
using System.Text;
using Pipeline.Catalog;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Tests.Stages;
using Xunit.Abstractions;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>
/// The findings on the synthetic world, at the example's sizes (examples/reward.pipe): held-out accuracy of
/// the model against the oracle and a prompt-only baseline, and BT against BTT over three seeds. Slow: run with
/// <c>dotnet test tests/Runtime.Tests --filter Category=Slow</c>.
/// </summary>
public sealed class RewardFindingsTests(ITestOutputHelper output)
{
    // The example's sizes: world.pairs(count: 8000) split 0.8 / 0.2 by prompt; the catalogue's video_reward defaults.
    private const int Pairs = 8000;

    [Fact]
    [Trait("Category", "Slow")]
    public void Held_out_accuracy_without_ties_is_within_8_points_of_the_oracle_and_above_prompt_only()
    {
        var (model, oracle, promptOnly) = Train(seed: 7, "btt", out var log);
        foreach (var line in log)
        {
            output.WriteLine(line);
        }

        foreach (var dimension in new[] { "VQ", "MQ", "TA" })
        {
            Assert.True(model[dimension].WithoutTies >= oracle[dimension].WithoutTies - 0.08, $"{dimension}: model {model[dimension].WithoutTies:0.000}, oracle {oracle[dimension].WithoutTies:0.000}");
            Assert.True(model[dimension].WithoutTies > 0.5 && model[dimension].WithoutTies > promptOnly[dimension].WithoutTies, $"{dimension}: model {model[dimension].WithoutTies:0.000}, prompt-only {promptOnly[dimension].WithoutTies:0.000} (0.5 with coin-broken ties)");
            Assert.True(model[dimension].WithTies > promptOnly[dimension].WithTies, $"{dimension} with ties: model {model[dimension].WithTies:0.000}, prompt-only {promptOnly[dimension].WithTies:0.000}");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Bt_versus_btt_over_three_seeds()
    {
        var seeds = new[] { 7, 8, 9 };
        var results = new Dictionary<(string Loss, int Seed), Dictionary<string, (double WithTies, double WithoutTies)>>();
        foreach (var seed in seeds)
        {
            foreach (var loss in new[] { "bt", "btt" })
            {
                var (model, oracle, _) = Train(seed, loss, out _);
                results[(loss, seed)] = model;
                results[("oracle", seed)] = oracle;
            }
        }

        var report = new StringBuilder();
        report.AppendLine("held-out accuracy (%), w/ ties / w/o ties, seeds " + string.Join(", ", seeds));
        var dimensions = results.Values.First().Keys.ToArray();
        foreach (var dimension in dimensions)
        {
            foreach (var loss in new[] { "bt", "btt", "oracle" })
            {
                var perSeed = seeds.Select(s => results[(loss, s)][dimension]).ToArray();
                var cells = string.Join("  ", perSeed.Select(r => string.Create(CultureInfo.InvariantCulture, $"{100 * r.WithTies:0.0}/{100 * r.WithoutTies:0.0}")));
                var mean = string.Create(CultureInfo.InvariantCulture, $"{100 * perSeed.Average(r => r.WithTies):0.0}/{100 * perSeed.Average(r => r.WithoutTies):0.0}");
                report.AppendLine($"{dimension,-7} {loss,-6}  {cells}  mean {mean}");
            }
        }

        output.WriteLine(report.ToString());
        // The paper's comparison (its App. E): BTT roughly matches BT without ties and is better with ties. These are
        // printed, not asserted: the finding is reported as measured (see the issue report).
        Assert.Equal(3 * seeds.Length, results.Count);
    }

    private static (Dictionary<string, (double WithTies, double WithoutTies)> Model, Dictionary<string, (double WithTies, double WithoutTies)> Oracle, Dictionary<string, (double WithTies, double WithoutTies)> PromptOnly)
        Train(int seed, string loss, out List<string> log)
    {
        var split = RewardTestData.Split(Pairs, seed);
        var options = KindDefaults.Of<VideoRewardOptions>() with { Train = split.Train, Eval = split.Eval };
        if (loss == "bt")
        {
            options.Loss = RewardLoss.Bt;
        }

        log = new List<string>();
        var context = RewardTestData.Context(seed, log);
        var outputs = VideoRewardStage.Run(context, "reward", context.MLContextFor("reward").Rewards().VideoReward(options));
        return (Read(outputs.Metrics["accuracy"]), Read(outputs.Metrics["oracle_accuracy"]), Read(outputs.Metrics["prompt_only_accuracy"]));
    }

    private static Dictionary<string, (double WithTies, double WithoutTies)> Read(object? section) =>
        ((SortedDictionary<string, object?>)section!).ToDictionary(
            p => p.Key,
            p =>
            {
                var entry = (SortedDictionary<string, object?>)p.Value!;
                return ((double)entry["with_ties"]!, (double)entry["without_ties"]!);
            });
}

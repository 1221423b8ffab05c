using Pipeline.Catalog.Expectations;
using Pipeline.Catalog.Statistics;

namespace Pipeline.Catalog.Tests.Expectations;

/// <summary>Expectations decided from measurements whose intervals are computed by hand in ReplicateStatisticsTests.</summary>
public sealed class ExpectationEvaluatorTests
{
    private static readonly MetricReference Dpo = new("dpo", "win_rate", "oracle", "TA");
    private static readonly MetricReference TaHeavy = new("nrg_ta", "win_rate", "oracle", "TA");
    private static readonly MetricReference VqMqHeavy = new("nrg_vq_mq", "win_rate", "oracle", "TA");

    // dpo: 0.75 over 256 samples, one seed: [0.6970, 0.8030].
    private static readonly Dictionary<MetricReference, SeedRate[]> OneSeed = new()
    {
        [Dpo] = [new SeedRate(7, 0.75, 256)],
    };

    // Three seeds, n = 100: the difference 0.10 has the interval [−0.0242, 0.2242]; on 1000 samples a seed, with every
    // seed 0.05 apart, [0.0267, 0.0733].
    private static readonly Dictionary<MetricReference, SeedRate[]> Noisy = new()
    {
        [TaHeavy] = [new SeedRate(1, 0.70, 100), new SeedRate(2, 0.80, 100), new SeedRate(3, 0.60, 100)],
        [VqMqHeavy] = [new SeedRate(1, 0.60, 100), new SeedRate(2, 0.65, 100), new SeedRate(3, 0.55, 100)],
    };

    private static readonly Dictionary<MetricReference, SeedRate[]> Clear = new()
    {
        [TaHeavy] = [new SeedRate(11, 0.60, 1000), new SeedRate(12, 0.80, 1000), new SeedRate(13, 0.70, 1000)],
        [VqMqHeavy] = [new SeedRate(11, 0.55, 1000), new SeedRate(12, 0.75, 1000), new SeedRate(13, 0.65, 1000)],
    };

    private static ExpectationOutcome Evaluate(Expectation expectation, Dictionary<MetricReference, SeedRate[]> measured) =>
        ExpectationEvaluator.Evaluate(expectation, m => measured.TryGetValue(m, out var seeds) ? seeds : null);

    private static Expectation Threshold(Comparison comparison, double threshold) =>
        new($"dpo.win_rate(oracle).TA {Expectation.Symbol(comparison)} {threshold}", Dpo, comparison, null, threshold);

    private static Expectation Steering(Comparison comparison) =>
        new($"nrg_ta.win_rate(oracle).TA {Expectation.Symbol(comparison)} nrg_vq_mq.win_rate(oracle).TA", TaHeavy, comparison, VqMqHeavy, null);

    [Theory]
    [InlineData(Comparison.Greater, 0.5, ExpectationStatus.Held)]          // [0.697, 0.803] lies above 0.5
    [InlineData(Comparison.Greater, 0.7, ExpectationStatus.Inconclusive)]  // it crosses 0.7
    [InlineData(Comparison.Greater, 0.85, ExpectationStatus.NotHeld)]      // it lies below 0.85
    [InlineData(Comparison.Less, 0.85, ExpectationStatus.Held)]
    [InlineData(Comparison.Less, 0.7, ExpectationStatus.Inconclusive)]
    [InlineData(Comparison.Less, 0.5, ExpectationStatus.NotHeld)]
    public void A_metric_against_a_number_is_decided_by_the_metrics_interval(Comparison comparison, double threshold, ExpectationStatus status)
    {
        var outcome = Evaluate(Threshold(comparison, threshold), OneSeed);
        Assert.Equal(status, outcome.Status);
        Assert.Equal(0.6969569187, outcome.Left.Lower, 9);
        Assert.Null(outcome.Right);
        Assert.Null(outcome.Difference);
    }

    [Fact]
    public void Two_metrics_are_decided_by_the_interval_of_their_paired_difference()
    {
        Assert.Equal(ExpectationStatus.Inconclusive, Evaluate(Steering(Comparison.Greater), Noisy).Status);
        Assert.Equal(ExpectationStatus.Inconclusive, Evaluate(Steering(Comparison.Less), Noisy).Status);
        var held = Evaluate(Steering(Comparison.Greater), Clear);
        Assert.Equal(ExpectationStatus.Held, held.Status);
        Assert.Equal(0.0266946445131, held.Difference!.Lower, 9);
        Assert.Equal(0.70, held.Left.Value, 9);
        Assert.Equal(0.65, held.Right!.Value, 9);
        Assert.Equal(ExpectationStatus.NotHeld, Evaluate(Steering(Comparison.Less), Clear).Status);
    }

    [Fact]
    public void Statuses_and_outcomes_print_as_results_json_and_the_output_write_them()
    {
        Assert.Equal(["held", "not held", "inconclusive"], new[] { ExpectationStatus.Held, ExpectationStatus.NotHeld, ExpectationStatus.Inconclusive }.Select(ExpectationEvaluator.StatusName));
        Assert.Equal("held: dpo.win_rate(oracle).TA > 0.5 (0.750 [0.697, 0.803])", Evaluate(Threshold(Comparison.Greater, 0.5), OneSeed).ToString());
        Assert.Equal(
            "held: nrg_ta.win_rate(oracle).TA > nrg_vq_mq.win_rate(oracle).TA (0.700 vs 0.650, difference +0.050 [+0.027, +0.073])",
            Evaluate(Steering(Comparison.Greater), Clear).ToString());
    }

    [Fact]
    public void A_metric_without_measurements_is_an_error_that_names_its_results_path()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Evaluate(Steering(Comparison.Greater), OneSeed));
        Assert.Equal("no measurement of nrg_ta.win_rate(oracle).TA (win_rates.oracle.nrg_ta.TA in results.json)", error.Message);
    }

    [Fact]
    public void A_metric_names_its_place_in_results_json_and_back()
    {
        Assert.Equal("win_rates.oracle.dpo.TA", Dpo.ResultPath);
        Assert.Equal("win_rates.oracle.dpo.n", Dpo.SampleCountPath);
        Assert.Equal("dpo.win_rate(oracle).TA", Dpo.ToString());
        Assert.Equal(Dpo, MetricReference.FromResultPath("win_rates.oracle.dpo.TA"));
        Assert.Null(MetricReference.FromResultPath("win_rates.oracle.dpo.n"));
        Assert.Null(MetricReference.FromResultPath("reward_accuracy.vr.TA.with_ties"));
    }
}

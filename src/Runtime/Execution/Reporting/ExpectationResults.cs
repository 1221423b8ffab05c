using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Catalog.Expectations;
using Pipeline.Catalog.Statistics;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// An experiment's expectations decided on its runs (one run, or each seed of a replicate set): the outcomes, and the
/// expectations a run could not decide because it did not measure their metrics (a <c>--stage</c> run).
/// </summary>
public sealed record DecidedExpectations(IReadOnlyList<ExpectationOutcome> Outcomes, IReadOnlyList<Expectation> Unmeasured)
{
    public static DecidedExpectations None { get; } = new([], []);

    /// <summary>The outcomes that did not hold: <c>pipeline run --expect</c> fails on these.</summary>
    public IReadOnlyList<ExpectationOutcome> NotHeld => Outcomes.Where(o => o.Status == ExpectationStatus.NotHeld).ToArray();
}

/// <summary>
/// Decides the declared expectations on the win rates of a run's results.json, or of every seed's (docs/statistics.md,
/// "Expectations"), and writes them: results.json's <c>expectations</c> list, report.md's table, one line each for
/// the console.
/// </summary>
public static class ExpectationResults
{
    /// <summary>The results.json key of the list.</summary>
    public const string Section = "expectations";

    public static DecidedExpectations Decide(IReadOnlyList<Expectation> expectations, IReadOnlyList<WinRateTable> runs)
    {
        var outcomes = new List<ExpectationOutcome>();
        var unmeasured = new List<Expectation>();
        foreach (var expectation in expectations)
        {
            if (expectation.Metrics.Any(m => WinRateTable.Across(runs, m) is null))
            {
                unmeasured.Add(expectation);
                continue;
            }

            outcomes.Add(ExpectationEvaluator.Evaluate(expectation, m => WinRateTable.Across(runs, m)));
        }

        return new DecidedExpectations(outcomes, unmeasured);
    }

    /// <summary>Writes <c>"expectations": [ … ]</c>: per expectation its expression, status, seeds and the values compared.</summary>
    public static void Write(Utf8JsonWriter json, DecidedExpectations decided)
    {
        json.WriteStartArray(Section);
        foreach (var outcome in decided.Outcomes)
        {
            json.WriteStartObject();
            json.WriteString("expression", outcome.Expectation.Expression);
            json.WriteString("status", outcome.StatusName);
            json.WriteNumber("seeds", outcome.Left.Seeds);
            WriteSide(json, "left", outcome.Expectation.Left, outcome.Left);
            if (outcome.Expectation.Right is { } right && outcome.Right is { } rightValue && outcome.Difference is { } difference)
            {
                WriteSide(json, "right", right, rightValue);
                json.WriteStartObject("difference");
                json.WriteNumber("value", difference.Value);
                json.WriteNumber("lower", difference.Lower);
                json.WriteNumber("upper", difference.Upper);
                json.WriteBoolean("paired", difference.Paired);
                json.WriteEndObject();
            }
            else
            {
                json.WritePropertyName("threshold");
                MetricJson.Write(json, outcome.Expectation.Threshold);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The console's lines: one per outcome (<see cref="ExpectationOutcome.ToString"/>), one per expectation not measured.</summary>
    public static IEnumerable<string> Lines(DecidedExpectations decided) =>
        decided.Outcomes.Select(o => $"expect {o}")
            .Concat(decided.Unmeasured.Select(e => $"expect not decided: {e.Expression} (this run did not measure {string.Join(" and ", e.Metrics.Select(m => m.ToString()))})"));

    /// <summary>report.md's section: a table of the expectations with their status and the values compared.</summary>
    public static void AppendMarkdown(StringBuilder text, DecidedExpectations decided)
    {
        if (decided.Outcomes.Count == 0 && decided.Unmeasured.Count == 0)
        {
            return;
        }

        var seeds = decided.Outcomes.FirstOrDefault()?.Left.Seeds ?? 0;
        text.AppendLine("## Expectations");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Decided on {seeds} seed(s) with the 95 % intervals of docs/statistics.md: **held** when the whole interval lies on the expected side, **not held** when it lies on the other, **inconclusive** when it crosses the threshold (for two metrics, 0).");
        text.AppendLine();
        text.AppendLine("| expectation | status | left | right | difference |");
        text.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var outcome in decided.Outcomes)
        {
            var right = outcome.Right is { } r ? Interval(r) : Number(outcome.Expectation.Threshold ?? double.NaN);
            var difference = outcome.Difference is { } d ? $"{Signed(d.Value)} [{Signed(d.Lower)}, {Signed(d.Upper)}]" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{outcome.Expectation.Expression}` | {outcome.StatusName} | {Interval(outcome.Left)} | {right} | {difference} |");
        }

        foreach (var expectation in decided.Unmeasured)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{expectation.Expression}` | not measured in this run | | | |");
        }

        text.AppendLine();
    }

    private static void WriteSide(Utf8JsonWriter json, string name, MetricReference metric, Estimate value)
    {
        json.WriteStartObject(name);
        json.WriteString("metric", metric.ToString());
        json.WriteNumber("mean", value.Value);
        json.WriteNumber("lower", value.Lower);
        json.WriteNumber("upper", value.Upper);
        json.WriteEndObject();
    }

    private static string Interval(Estimate value) => $"{Number(value.Value)} [{Number(value.Lower)}, {Number(value.Upper)}]";

    internal static string Number(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Signed(double value) => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
}

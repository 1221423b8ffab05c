using System.Globalization;
using System.Text;
using Pipeline.Catalog;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// report.md's section on the reward models (<c>video_reward</c> stages): each one's pairwise accuracy per dimension
/// and Overall on its held-out pairs, without ties and with ties (docs/reward.md), beside the oracle's on the same
/// pairs — the ceiling to expect, since the labels are the oracle's judgements with annotator noise. Models trained with BT and
/// BTT side by side show what modelling ties buys. The numbers are the stages' metrics, as in results.json.
/// </summary>
internal static class RewardAccuracyTables
{
    private static readonly (string Key, string Title)[] Modes = [("without_ties", "Without ties"), ("with_ties", "With ties")];

    public static void Write(StringBuilder text, RunResult result)
    {
        var rewards = result.Stages
            .Where(p => p.Value.Kind == "video_reward" && ReportValues.Map(p.Value.Metrics.GetValueOrDefault("accuracy")) is not null)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (Name: p.Key, Output: p.Value))
            .ToArray();
        if (rewards.Length == 0)
        {
            return;
        }

        // One oracle column when every model was scored on pairs where the oracle does equally well (the same
        // pairs); else one per model, each on that model's pairs.
        var oracles = rewards.Select(r => ReportValues.Map(r.Output.Metrics.GetValueOrDefault("oracle_accuracy"))).ToArray();
        var columns = rewards.Select(r => (Header: $"{r.Name} ({Text(r.Output.Metrics.GetValueOrDefault("loss"))})", Accuracy: ReportValues.Map(r.Output.Metrics["accuracy"])!)).ToList();
        if (oracles.All(o => o is not null) && oracles.Select(Signature).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            columns.Add(("oracle (ceiling)", oracles[0]!));
        }
        else
        {
            columns.AddRange(rewards.Zip(oracles).Where(p => p.Second is not null).Select(p => ($"oracle on {p.First.Name}'s pairs", p.Second!)));
        }

        var dimensions = DimensionNames.All.Where(d => columns.Any(c => c.Accuracy.ContainsKey(d))).ToArray();
        text.AppendLine("## Reward models");
        text.AppendLine();
        var pairs = rewards.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name} on {Pairs(r.Output)} {Text(r.Output.Metrics.GetValueOrDefault("accuracy_split"))} pairs"));
        text.AppendLine(CultureInfo.InvariantCulture, $"Pairwise accuracy per dimension and Overall ({string.Join("; ", pairs)}), without ties (tied labels left out, a zero margin counts as wrong) and with ties (ties predicted within a fitted margin), docs/reward.md. The oracle scored the same pairs: the labels are its judgements with annotator noise, so its accuracy is the ceiling to expect (on a few dozen pairs a model can pass it by chance).");
        text.AppendLine();
        foreach (var (key, title) in Modes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
            text.AppendLine();
            text.AppendLine("| dimension | " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
            text.AppendLine("| --- |" + string.Concat(columns.Select(_ => " ---: |")));
            foreach (var dimension in dimensions)
            {
                var cells = columns.Select(c => ReportValues.Number(ReportValues.Map(c.Accuracy.GetValueOrDefault(dimension))?.GetValueOrDefault(key)) is { } v
                    ? v.ToString("0.000", CultureInfo.InvariantCulture)
                    : "–");
                text.AppendLine(CultureInfo.InvariantCulture, $"| {dimension} | {string.Join(" | ", cells)} |");
            }

            text.AppendLine();
        }
    }

    private static object Pairs(StageOutput output) =>
        Text(output.Metrics.GetValueOrDefault("accuracy_split")) == "eval" ? output.Metrics.GetValueOrDefault("eval_pairs") ?? "?" : output.Metrics.GetValueOrDefault("train_pairs") ?? "?";

    /// <summary>An accuracy map's numbers as one string, to tell whether two oracle columns are the same.</summary>
    private static string Signature(IReadOnlyDictionary<string, object?>? accuracy) => string.Join(";", accuracy!
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .SelectMany(p => (ReportValues.Map(p.Value) ?? new Dictionary<string, object?>()).OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{p.Key}.{q.Key}={ReportValues.Number(q.Value)?.ToString("R", CultureInfo.InvariantCulture)}")));

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
}

using System.Diagnostics;
using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>Options of <c>video_reward</c>; defaults and documentation are in the catalogue.</summary>
public sealed record VideoRewardOptions : StageOptions
{
    public required PreferencePairSet Train { get; set; }

    public PreferencePairSet? Eval { get; set; }

    public required RewardLoss Loss { get; set; }

    public required RewardTokenMode Tokens { get; set; }

    public required int Width { get; set; }

    public required int Epochs { get; set; }

    public required double Lr { get; set; }

    public required int Batch { get; set; }

    public WeightsFile? Init { get; set; }
}

/// <summary>
/// <c>video_reward</c>: trains VideoReward-mini (<see cref="VideoRewardEstimator"/>, made by
/// <c>mlContext.Rewards().VideoReward(options)</c> and fitted here on the data views of the training and evaluation
/// pairs) on the training pairs, fits the Overall z-normalisation on the evaluation pairs, and reports on those
/// held-out pairs, per dimension and for Overall, the pairwise accuracy with and without ties of the model (results.json
/// <c>reward_accuracy</c>), of the oracle when the pairs carry its per-video scores (<c>oracle_accuracy</c>), and of a
/// prompt-only baseline.
/// </summary>
/// <remarks>
/// The prompt-only baseline sees no video. Both videos of a pair share the prompt, so any function of the prompt
/// alone gives both the same score and every margin is exactly 0: without ties it scores 0 by the paper's metric
/// (m = 0 counts as discordant) and 0.5 when such ties are broken by a fair coin (the paper's treatment of LiFT),
/// and with ties its calibrated accuracy is the share of tied labels. Its numbers are computed through the same
/// metric code from those zero margins.
/// </remarks>
public static class VideoRewardStage
{
    public static StageOutput Run(StageContext context, string name, VideoRewardEstimator estimator)
    {
        var options = estimator.Options;
        var (train, eval) = (options.Train, options.Eval);
        if (eval is not null && eval.Shape != train.Shape)
        {
            throw RuntimeErrors.InvalidOption(name, $"the eval pairs' videos have shape {eval.Shape}, the training pairs' {train.Shape}");
        }

        var tokens = CatalogNames.SnakeCase(options.Tokens.ToString());
        using var given = GivenWeights.Open(context, name, ModelKinds.VideoReward, options.Init);
        given?.RequireAgreement(ModelMetadata.Dimensions, JsonSerializer.Serialize(estimator.TrainedDimensions), "for the dimensions", "give it pairs of the file's dimensions, in its order");
        given?.RequireAgreement(ModelMetadata.Tokens, tokens, "with tokens", $"set tokens = {given.Metadata?.Optional(ModelMetadata.Tokens)}");

        // Train on the training pairs and fit the Overall normalisation on the held-out pairs (the evaluation split,
        // else the training pairs); the accuracies come from the scores the normalisation saw.
        var watch = Stopwatch.StartNew();
        using var metrics = StageProgress.OpenMetrics(context, name);
        estimator.Run = StageProgress.Training(context, name, VideoRewardEstimator.Steps(train.Count, options), metrics, given);
        var model = estimator.Fit(train.ToDataView(), eval?.ToDataView()).Model;
        model.VideoFps = train.Fps;
        context.Log($"{name}: trained {options.Loss} ({tokens} tokens) on {train.Count} pairs, {estimator.Trainer!.Losses.Count} steps in {watch.Elapsed.TotalSeconds:0.0} s");
        var heldPairs = eval ?? train;
        var held = RewardPairData.Read(heldPairs.ToDataView(), heldPairs.Shape, heldPairs.Dimensions.Select(d => d.ToString()).ToArray());
        var scores = model.ToNormalized(estimator.NormalizationScores!);

        var output = new StageOutput(name, "video_reward", model);
        var trainer = estimator.Trainer!;
        output.Metrics["loss"] = options.Loss.ToString();
        output.Metrics["tokens"] = tokens;
        output.Metrics["train_pairs"] = train.Count;
        output.Metrics["eval_pairs"] = eval?.Count ?? 0;
        output.Metrics["steps"] = trainer.Losses.Count;
        output.Metrics["parameters"] = model.Network.parameters().Sum(p => p.numel());
        if (trainer.Losses.Count > 0)
        {
            output.Metrics["loss_start"] = trainer.MeanLoss(atStart: true);
            output.Metrics["loss_end"] = trainer.MeanLoss(atStart: false);
            output.Metrics["loss_curve"] = trainer.Curve();
        }

        ReportAccuracy(context, name, output, model, held, scores, isEvalSplit: eval is not null);
        return output;
    }

    /// <summary>
    /// The pairwise accuracies on the held-out pairs, with and without ties, per dimension and for Overall: the model's,
    /// the prompt-only baseline's and, when the pairs carry its scores, the oracle's; into the stage's metrics, the
    /// log, and (for an evaluation split) results.json's reward_accuracy and oracle_accuracy.
    /// </summary>
    private static void ReportAccuracy(StageContext context, string name, StageOutput output, VideoRewardModel model, RewardPairData held, float[,] scores, bool isEvalSplit)
    {
        var labelled = held.Dimensions.Where(d => d == DimensionNames.Overall ? model.OverallParts.Count > 0 : model.Dimensions.Contains(d)).ToArray();
        var scoreIndex = labelled.ToDictionary(d => d, d => d == DimensionNames.Overall ? model.Dimensions.Count : model.Dimensions.ToList().IndexOf(d));
        var n = held.Count;
        PreferenceLabel? Label(int i, string d)
        {
            var j = (i * held.Dimensions.Count) + held.IndexOf(d);
            return held.Known[j] ? (PreferenceLabel)held.Labels[j] : null;
        }

        var accuracy = RewardAccuracy.Evaluate(labelled, Label, (i, d) => scores[i, scoreIndex[d]], (i, d) => scores[n + i, scoreIndex[d]], n);
        var promptOnly = RewardAccuracy.Evaluate(labelled, Label, (_, _) => 0.0, (_, _) => 0.0, n);
        var split = isEvalSplit ? "eval" : "train";
        output.Metrics["accuracy_split"] = split;
        output.Metrics["accuracy"] = RewardAccuracy.ToResult(accuracy);
        output.Metrics["tie_thresholds"] = accuracy.ToDictionary(p => p.Key, p => (object?)Math.Round(p.Value.Threshold, 6));
        output.Metrics["prompt_only_accuracy"] = PromptOnlyResult(promptOnly);
        if (OracleAccuracy(held, labelled, Label) is { } oracle)
        {
            output.Metrics["oracle_accuracy"] = RewardAccuracy.ToResult(oracle);
            if (isEvalSplit)
            {
                context.ResultSections["oracle_accuracy"] = RewardAccuracy.ToResult(oracle);
            }

            foreach (var d in labelled)
            {
                context.Log($"{name}: {d,-7} without ties: model {accuracy[d].WithoutTies:0.000}, oracle {oracle[d].WithoutTies:0.000}, prompt-only {promptOnly[d].WithoutTies:0.000} (0.500 with m = 0 ties broken by a coin); with ties: model {accuracy[d].WithTies:0.000}, oracle {oracle[d].WithTies:0.000}, prompt-only {promptOnly[d].WithTies:0.000} [{split}]");
            }
        }
        else
        {
            foreach (var d in labelled)
            {
                context.Log($"{name}: {d,-7} without ties: model {accuracy[d].WithoutTies:0.000}, prompt-only {promptOnly[d].WithoutTies:0.000}; with ties: model {accuracy[d].WithTies:0.000}, prompt-only {promptOnly[d].WithTies:0.000} [{split}]");
            }
        }

        if (isEvalSplit)
        {
            if (!context.ResultSections.TryGetValue("reward_accuracy", out var section) || section is not SortedDictionary<string, object?> rewards)
            {
                rewards = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                context.ResultSections["reward_accuracy"] = rewards;
            }

            rewards[name] = RewardAccuracy.ToResult(accuracy);
        }
    }

    /// <summary>The oracle's accuracies from the pairs' per-video oracle scores (MOS_A_/MOS_B_ columns); null when there are none.</summary>
    private static SortedDictionary<string, DimensionAccuracy>? OracleAccuracy(RewardPairData data, IReadOnlyList<string> dimensions, Func<int, string, PreferenceLabel?> label)
    {
        if (data.TargetsA is null || data.TargetsB is null)
        {
            return null;
        }

        var count = data.Dimensions.Count;
        double Target(float[] targets, int i, string d)
        {
            var j = data.IndexOf(d);
            if (j >= 0 && !float.IsNaN(targets[(i * count) + j]))
            {
                return targets[(i * count) + j];
            }

            // Overall without its own column: the mean of the z-scores, as the oracle defines it.
            var parts = DimensionNames.Rated.Select(data.IndexOf).Where(k => k >= 0).ToArray();
            return d == DimensionNames.Overall && parts.Length > 0 ? parts.Average(k => targets[(i * count) + k]) : double.NaN;
        }

        return RewardAccuracy.Evaluate(dimensions, label, (i, d) => Target(data.TargetsA, i, d), (i, d) => Target(data.TargetsB, i, d), data.Count);
    }

    private static SortedDictionary<string, object?> PromptOnlyResult(IReadOnlyDictionary<string, DimensionAccuracy> accuracies)
    {
        var section = RewardAccuracy.ToResult(accuracies);
        foreach (var key in section.Keys.ToArray())
        {
            var entry = (SortedDictionary<string, object?>)section[key]!;
            entry["without_ties_coin"] = 0.5;
        }

        return section;
    }
}

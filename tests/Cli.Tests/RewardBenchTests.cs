using System.Globalization;
using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// End-to-end tests of <c>pipeline reward-bench</c> through the real CLI, on six hand-made pairs whose accuracies are
/// worked out by hand in the comments (the paper's §2.5 metrics).
/// </summary>
public sealed class RewardBenchTests
{
    // Six pairs, videos a1..a6 against b1..b6; every b scores 0, so each a's score is the pair's margin m.
    // VQ: labels A, A, same, B, B, same; margins +2, −1, +0.5, 0, −3, +0.2.
    //   without ties: decided pairs 1 ✓, 2 ✗, 4 ✗ (m = 0 exactly counts as discordant), 5 ✓ → 2/4 = 0.5.
    //   with ties (calc_accuracy.py: pairs become model ties one at a time, in order of |m|, and the accuracy is
    //   taken after each): after |m| = 0, 0.2, 0.5, 1, 2, 3 it is 2/6, 3/6, 4/6, 4/6, 3/6, 2/6 → max 4/6 at ε = 0.5.
    // MQ: labels A, A, A, B, B, B; margins +1, +1, +1, −1, −1, −1 → without ties 1; with ties 5/6: the official code
    //   never scores the state without model ties, and after the first pair becomes a tie 5 of 6 are right.
    // TA: labels A, B, same, same, A, B; margins +1, +1, 0, +0.1, −2, −1.
    //   without ties: 1 ✓, 2 ✗, 5 ✗, 6 ✓ → 0.5.
    //   with ties: C = 2 before any tie; after pair 3 (|m| 0) 3/6; pair 4 (0.1) 4/6; pairs 1, 2, 6 (1) 3/6, 3/6, 2/6 → 4/6.
    // Overall: labels all A, margins all +1 → without ties 1, with ties 5/6 (as MQ).
    private static readonly string[] VqLabels = { "A", "A", "same", "B", "B", "same" };
    private static readonly double[] VqMargins = { 2, -1, 0.5, 0, -3, 0.2 };
    private static readonly string[] MqLabels = { "A", "A", "A", "B", "B", "B" };
    private static readonly double[] MqMargins = { 1, 1, 1, -1, -1, -1 };
    private static readonly string[] TaLabels = { "A", "B", "same", "same", "A", "B" };
    private static readonly double[] TaMargins = { 1, 1, 0, 0.1, -2, -1 };

    [Fact]
    public void Json_reports_both_accuracies_per_dimension_and_Overall_when_both_files_have_it()
    {
        using var folder = new TempFolder();
        var (pairs, scores) = WriteFiles(folder, pairsHaveOverall: true, scoresHaveOverall: true);

        var result = PipelineCli.Run(new[] { "reward-bench", "--pairs", pairs, "--scores", scores, "--json" }, folder.File("cache"));

        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        Assert.Equal(new[] { "VQ", "MQ", "TA", "Overall" }, root.EnumerateObject().Select(p => p.Name));
        AssertAccuracy(root, "VQ", withTies: 4.0 / 6, withoutTies: 0.5);
        AssertAccuracy(root, "MQ", withTies: 5.0 / 6, withoutTies: 1);
        AssertAccuracy(root, "TA", withTies: 4.0 / 6, withoutTies: 0.5);
        AssertAccuracy(root, "Overall", withTies: 5.0 / 6, withoutTies: 1);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Overall_is_left_out_unless_both_files_have_it(bool pairsHaveOverall, bool scoresHaveOverall)
    {
        using var folder = new TempFolder();
        var (pairs, scores) = WriteFiles(folder, pairsHaveOverall, scoresHaveOverall);

        var result = PipelineCli.Run(new[] { "reward-bench", "--pairs", pairs, "--scores", scores, "--json" }, folder.File("cache"));

        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(new[] { "VQ", "MQ", "TA" }, json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void The_table_shows_percentages_and_the_chosen_tie_threshold()
    {
        using var folder = new TempFolder();
        var (pairs, scores) = WriteFiles(folder, pairsHaveOverall: true, scoresHaveOverall: true);

        var result = PipelineCli.Run(new[] { "reward-bench", "--pairs", pairs, "--scores", scores }, folder.File("cache"));

        Assert.True(result.ExitCode == 0, result.All);
        var vq = result.StandardOutput.Split('\n').Single(l => l.StartsWith("VQ", StringComparison.Ordinal));
        Assert.Equal(new[] { "VQ", "66.67", "50.00", "0.5", "6", "2" }, vq.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_unknown_label_fails_with_the_file_and_line()
    {
        using var folder = new TempFolder();
        var (pairs, scores) = WriteFiles(folder, pairsHaveOverall: false, scoresHaveOverall: false);
        var lines = File.ReadAllLines(pairs);
        lines[3] = lines[3].Replace(",same,", ",maybe,", StringComparison.Ordinal);
        File.WriteAllLines(pairs, lines);

        var result = PipelineCli.Run(new[] { "reward-bench", "--pairs", pairs, "--scores", scores }, folder.File("cache"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("PIPE4104", result.StandardError);
        Assert.Contains("pairs.csv:4:", result.StandardError);
    }

    [Fact]
    public void A_video_without_scores_fails_with_the_file_and_line()
    {
        using var folder = new TempFolder();
        var (pairs, scores) = WriteFiles(folder, pairsHaveOverall: false, scoresHaveOverall: false);
        File.WriteAllLines(scores, File.ReadAllLines(scores).Where(l => !l.StartsWith("videos/b2.mp4", StringComparison.Ordinal)));

        var result = PipelineCli.Run(new[] { "reward-bench", "--pairs", pairs, "--scores", scores }, folder.File("cache"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pairs.csv:3:", result.StandardError);
        Assert.Contains("videos/b2.mp4", result.StandardError);
    }

    private static void AssertAccuracy(JsonElement root, string dimension, double withTies, double withoutTies)
    {
        // Full precision: the JSON carries every digit, for comparison with the official evaluation.
        Assert.Equal(withTies, root.GetProperty(dimension).GetProperty("with_ties").GetDouble(), 1e-15);
        Assert.Equal(withoutTies, root.GetProperty(dimension).GetProperty("without_ties").GetDouble(), 1e-15);
    }

    private static (string Pairs, string Scores) WriteFiles(TempFolder folder, bool pairsHaveOverall, bool scoresHaveOverall)
    {
        // The VideoGen-RewardBench columns, including the ones reward-bench ignores.
        var pairs = new List<string> { "path_A,path_B,A_model,B_model,prompt,fps_A,num_frames_A,fps_B,num_frames_B,VQ,MQ,TA" + (pairsHaveOverall ? ",Overall" : string.Empty) };
        var scores = new List<string> { "path,reward_VQ,reward_MQ,reward_TA" + (scoresHaveOverall ? ",reward_Overall" : string.Empty) };
        for (var i = 0; i < 6; i++)
        {
            pairs.Add($"videos/a{i + 1}.mp4,videos/b{i + 1}.mp4,kling1.5,minimax,\"Static camera, a metal ball rolls, {i}\",24,120,24,120,{VqLabels[i]},{MqLabels[i]},{TaLabels[i]}" + (pairsHaveOverall ? ",A" : string.Empty));
            scores.Add(string.Create(CultureInfo.InvariantCulture, $"videos/a{i + 1}.mp4,{VqMargins[i]},{MqMargins[i]},{TaMargins[i]}") + (scoresHaveOverall ? ",1" : string.Empty));
            scores.Add($"videos/b{i + 1}.mp4,0,0,0" + (scoresHaveOverall ? ",0" : string.Empty));
        }

        File.WriteAllLines(folder.File("pairs.csv"), pairs);
        File.WriteAllLines(folder.File("scores.csv"), scores);
        return (folder.File("pairs.csv"), folder.File("scores.csv"));
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.VideoReward;

namespace Pipeline.Runtime.Tests.Evaluation;

/// <summary>What reward-bench refuses, and how it says so: non-finite scores in every spelling, and malformed headers.</summary>
public sealed class RewardBenchInputTests : IDisposable
{
    private const string Pairs = "path_A,path_B,VQ,MQ,TA\na,b,A,B,same\n";
    private readonly string folder = Directory.CreateTempSubdirectory("pipeline-rewardbench-input-").FullName;

    [Theory]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("+Infinity")]
    [InlineData("infinity")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1E+309")]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("-NaN")]
    [InlineData("inf")]
    [InlineData("∞")]
    [InlineData("-∞")]
    public void A_non_finite_score_is_refused_whatever_its_spelling(string score)
    {
        // Before: "Infinity" and "1e400" were read as scores and gave accuracies; when both videos of a pair had one,
        // the margin ∞ − ∞ was NaN and PairwiseAccuracy threw an ArgumentException (exit 134).
        var error = Assert.Throws<PipelineException>(() => Run(Pairs, $"path,reward_VQ,reward_MQ,reward_TA\na,{score},0,0\nb,{score},0,0\n"));
        Assert.Equal(DataDiagnosticCodes.MalformedRow, error.Code);
        Assert.EndsWith($"scores.csv:2: reward_VQ is '{score}', not a finite number; every score must be one (infinities and NaN, however written, have no margin).", error.Message);
    }

    [Fact]
    public void The_largest_finite_scores_are_accepted()
    {
        var results = Run(Pairs, "path,reward_VQ,reward_MQ,reward_TA\na,1.7976931348623157E+308,0,0\nb,-1.7976931348623157E+308,0,0\n");
        Assert.Equal(1.0, results.Single(r => r.Dimension == "VQ").Accuracy.WithoutTies);
    }

    [Fact]
    public void A_header_with_a_trailing_comma_says_so_instead_of_a_field_count()
    {
        // Before: "2 fields ... header has 6" for every row, from a count of the distinct names.
        var error = Assert.Throws<PipelineException>(() => Run("path_A,path_B,VQ,MQ,TA,,\na,b,A,B,same\n", "path,reward_VQ,reward_MQ,reward_TA\na,1,0,0\nb,0,0,0\n"));
        Assert.EndsWith("pairs.csv:2: 5 fields, but the header has 7 (the header ends with 2 unnamed columns, a trailing comma; remove it).", error.Message);
    }

    [Fact]
    public void Rows_with_the_same_trailing_comma_as_their_header_are_read()
    {
        var results = Run("path_A,path_B,VQ,MQ,TA,\na,b,A,B,same,\n", "path,reward_VQ,reward_MQ,reward_TA,\na,1,0,0,\nb,0,0,0,\n");
        Assert.Equal(1.0, results.Single(r => r.Dimension == "VQ").Accuracy.WithoutTies);
    }

    [Fact]
    public void A_column_the_bench_reads_named_twice_is_refused_with_both_positions()
    {
        var error = Assert.Throws<PipelineException>(() => Run("path_A,path_B,VQ,MQ,TA,VQ\na,b,A,B,same,B\n", "path,reward_VQ,reward_MQ,reward_TA\na,1,0,0\nb,0,0,0\n"));
        Assert.EndsWith("pairs.csv:1: the header names column 'VQ' 2 times (columns 3, 6); keep one.", error.Message);
    }

    [Fact]
    public void A_duplicated_column_the_bench_ignores_is_harmless()
    {
        // Before: every row was refused with a field count (the distinct names were counted, not the columns).
        var results = Run("path_A,path_B,prompt,VQ,MQ,TA,prompt\na,b,p,A,B,same,p\n", "path,reward_VQ,reward_MQ,reward_TA\na,1,0,0\nb,0,0,0\n");
        Assert.Equal(1.0, results.Single(r => r.Dimension == "VQ").Accuracy.WithoutTies);
    }

    [Fact]
    public void PathSpelling_dot_slash_double_slash_and_dot_dot_name_one_video()
    {
        // Before (issue 22): the official example.csv names videos/x.mp4 and ./videos/x.mp4, and reward-bench said
        // "error PIPE4103: … video './videos/example_1_B.mp4' has no row in scores.csv".
        // VQ: margins +1 (A ✓), −1 (B ✓) → 1. MQ: −1 (B ✓), 0 (A ✗: a zero margin is discordant) → 0.5.
        // TA: a tie, then −2 (A ✗) → 0 without ties.
        var results = Run(
            "path_A,path_B,VQ,MQ,TA\nvideos/a.mp4,./videos/b.mp4,A,B,same\n./videos//c.mp4,videos/./d.mp4,B,A,A\n",
            "path,reward_VQ,reward_MQ,reward_TA\n./videos/a.mp4,1,0,0\nvideos/b.mp4,0,1,0\n videos/c.mp4 ,0,0,0\nvideos/sub/../d.mp4,1,0,2\n");

        Assert.Equal([1.0, 0.5, 0.0], results.Select(r => r.Accuracy.WithoutTies));
    }

    [Fact]
    public void Scores_written_with_absolute_paths_match_the_pair_files_relative_ones()
    {
        var results = Run("path_A,path_B,VQ,MQ,TA\nvideos/a.mp4,b.mp4,A,B,same\n",
            $"path,reward_VQ,reward_MQ,reward_TA\n{Path.Combine(folder, "videos", "a.mp4")},1,0,0\n{folder}//b.mp4,0,1,0\n");

        Assert.Equal([1.0, 1.0], results.Take(2).Select(r => r.Accuracy.WithoutTies));
    }

    [Fact]
    public void A_video_the_scores_do_not_have_is_still_PIPE4103_as_written()
    {
        var error = Assert.Throws<PipelineException>(() => Run("path_A,path_B,VQ,MQ,TA\n./videos/a.mp4,./videos/e.mp4,A,B,same\n", "path,reward_VQ,reward_MQ,reward_TA\nvideos/a.mp4,1,0,0\nvideos/b.mp4,0,0,0\n"));

        Assert.Equal(DataDiagnosticCodes.MalformedRow, error.Code);
        Assert.EndsWith("pairs.csv:2: video './videos/e.mp4' has no row in " + Path.Combine(folder, "scores.csv") + ".", error.Message);
    }

    [Fact]
    public void One_video_scored_under_two_spellings_is_refused_naming_both()
    {
        var error = Assert.Throws<PipelineException>(() => Run(Pairs, "path,reward_VQ,reward_MQ,reward_TA\na,1,0,0\nb,0,0,0\n./a,2,0,0\n"));

        Assert.EndsWith("scores.csv:4: './a' is scored twice (line 2 names the same video as 'a').", error.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private IReadOnlyList<(string Dimension, DimensionAccuracy Accuracy)> Run(string pairs, string scores)
    {
        File.WriteAllText(Path.Combine(folder, "pairs.csv"), pairs);
        File.WriteAllText(Path.Combine(folder, "scores.csv"), scores);
        return RewardBench.Run(Path.Combine(folder, "pairs.csv"), Path.Combine(folder, "scores.csv"));
    }
}

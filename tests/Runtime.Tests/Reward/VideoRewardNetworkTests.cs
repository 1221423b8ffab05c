using Pipeline.Runtime.Torch.Models.Reward;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>The separate-token design: VQ and MQ never see the prompt; under shared tokens every dimension does.</summary>
public sealed class VideoRewardNetworkTests
{
    private static readonly string[] Dimensions = { "VQ", "MQ", "TA" };

    [Fact]
    public void Under_separate_tokens_VQ_and_MQ_are_identical_when_the_prompt_changes_and_TA_is_not()
    {
        var (first, second) = ScoresForTwoPrompts(RewardTokenMode.Separate);

        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[1], second[1]);
        Assert.NotEqual(first[2], second[2]);
    }

    [Fact]
    public void Under_shared_tokens_every_dimension_changes_with_the_prompt()
    {
        var (first, second) = ScoresForTwoPrompts(RewardTokenMode.Shared);

        for (var d = 0; d < 3; d++)
        {
            Assert.NotEqual(first[d], second[d]);
        }
    }

    [Fact]
    public void Token_ids_are_gpt2_ids_shifted_by_one_and_zero_padded()
    {
        var ids = RewardPromptTokens.Ids(new[] { "a red disk", string.Empty });
        var gpt2 = Pipeline.Runtime.Core.PromptTokenizer.Encode("a red disk");

        Assert.Equal(gpt2.Select(t => (long)t + 1), ids.Take(gpt2.Length));
        Assert.All(ids.Skip(gpt2.Length), id => Assert.Equal(0L, id));
    }

    private static (float[] First, float[] Second) ScoresForTwoPrompts(RewardTokenMode mode)
    {
        manual_seed(3);
        using var network = new VideoRewardNetwork(Dimensions, mode, RewardPromptTokens.Vocabulary, 16);
        network.eval();
        using var noGrad = no_grad();
        using var video = rand(new long[] { 1, 3, 4, 8, 8 });
        using var red = RewardPromptTokens.Encode(new[] { "a small red disk moving slowly left" }, CPU);
        using var blue = RewardPromptTokens.Encode(new[] { "a large blue square moving quickly up-right" }, CPU);
        using var first = network.forward(video, red);
        using var second = network.forward(video, blue);
        return (first.data<float>().ToArray(), second.data<float>().ToArray());
    }
}

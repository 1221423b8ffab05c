using Pipeline.Runtime.Torch.Models;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Guidance;

/// <summary>
/// The latent reward's split between context-agnostic VQ/MQ and a TA that matches the video against the centred
/// prompt: properties that follow from the formulas, checked on an untrained network with random weights.
/// </summary>
public sealed class LatentRewardNetworkTests
{
    private static readonly string[] TrainingPrompts =
    [
        "a small red disk moving slowly left", "a large blue square moving quickly up", "a small green diamond moving slowly down-right",
    ];

    [Fact]
    public void VQ_and_MQ_ignore_the_prompt_and_TA_does_not()
    {
        var (network, x, t) = Untrained(seed: 3);
        using var scoresA = network.forward(x, t, PromptTokens.Encode(Enumerable.Repeat(TrainingPrompts[0], 2).ToList(), CPU));
        using var scoresB = network.forward(x, t, PromptTokens.Encode(Enumerable.Repeat(TrainingPrompts[1], 2).ToList(), CPU));
        var a = scoresA.data<float>().ToArray();
        var b = scoresB.data<float>().ToArray();
        for (var row = 0; row < 2; row++)
        {
            Assert.Equal(a[(row * 3) + 0], b[(row * 3) + 0]); // VQ
            Assert.Equal(a[(row * 3) + 1], b[(row * 3) + 1]); // MQ
            Assert.NotEqual(a[(row * 3) + 2], b[(row * 3) + 2]); // TA
        }
    }

    [Fact]
    public void TA_averages_to_zero_over_the_training_prompts_for_every_video_while_training_and_after_freezing()
    {
        // r_TA = ⟨U·v, G·(p − p̄)⟩ is linear in p, so its mean over the prompts whose mean is p̄ is ⟨U·v, G·0⟩ = 0 for any
        // video: a prompt-independent "better video" cannot raise TA on average.
        var (network, x, t) = Untrained(seed: 5);
        using var training = PromptTokens.Encode(TrainingPrompts, CPU);
        network.UseTrainingPrompts(training);
        Assert.All(MeanTaOverPrompts(network, x, t), mean => Assert.Equal(0.0, mean, 5));
        network.FreezePromptCentre();
        Assert.All(MeanTaOverPrompts(network, x, t), mean => Assert.Equal(0.0, mean, 5));

        Assert.Contains(network.state_dict().Keys, k => k.EndsWith("centre", StringComparison.Ordinal));
        using var saved = new MemoryStream();
        network.save(new BinaryWriter(saved));
        var (restored, _, _) = Untrained(seed: 11);
        saved.Position = 0;
        restored.load(new BinaryReader(saved));
        Assert.All(MeanTaOverPrompts(restored, x, t), mean => Assert.Equal(0.0, mean, 5));
    }

    [Fact]
    public void Standardised_scores_are_the_raw_scores_over_each_dimensions_deviation_and_survive_a_save()
    {
        var (network, x, t) = Untrained(seed: 7);
        using var tokens = PromptTokens.Encode(Enumerable.Repeat(TrainingPrompts[0], 2).ToList(), CPU);
        var raw = network.forward(x, t, tokens).data<float>().ToArray();
        network.StandardiseScores([2f, 4f, 0.5f]);
        var standardised = network.forward(x, t, tokens).data<float>().ToArray();
        var deviations = new[] { 2.0, 4.0, 0.5 };
        for (var i = 0; i < raw.Length; i++)
        {
            Assert.Equal(raw[i] / deviations[i % 3], standardised[i], 5);
        }

        using var saved = new MemoryStream();
        network.save(new BinaryWriter(saved));
        var (restored, _, _) = Untrained(seed: 7);
        saved.Position = 0;
        restored.load(new BinaryReader(saved));
        Assert.Equal(standardised, restored.forward(x, t, tokens).data<float>().ToArray());
    }

    private static double[] MeanTaOverPrompts(LatentRewardNetwork network, Tensor x, Tensor t)
    {
        var sums = new double[x.shape[0]];
        foreach (var prompt in TrainingPrompts)
        {
            using var tokens = PromptTokens.Encode(Enumerable.Repeat(prompt, (int)x.shape[0]).ToList(), CPU);
            using var scores = network.forward(x, t, tokens);
            var values = scores.data<float>().ToArray();
            for (var row = 0; row < sums.Length; row++)
            {
                sums[row] += values[(row * 3) + 2] / TrainingPrompts.Length;
            }
        }

        return sums;
    }

    private static (LatentRewardNetwork Network, Tensor X, Tensor T) Untrained(long seed)
    {
        manual_seed(seed);
        var network = new LatentRewardNetwork(new LatentShape(2, 4, 4, 4), 16, ["VQ", "MQ", "TA"]);
        network.eval();
        return (network, randn(new long[] { 2, 2, 4, 4, 4 }), tensor(new[] { 0.3f, 0.8f }));
    }
}

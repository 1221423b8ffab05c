using Pipeline.Runtime.Kinds.FlowDpo;
using Pipeline.Runtime.Kinds.FlowGenerator;
using Pipeline.Runtime.Tests.Stages;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Alignment;

/// <summary>Classifier-free prompt dropout, shared by pretraining and the aligners' <c>cfg_dropout</c>.</summary>
public sealed class CfgDropoutTests
{
    [Fact]
    public void Whole_prompts_become_the_null_prompt_at_the_given_rate()
    {
        const int rows = 4000;
        using var tokens = full(new long[] { rows, 3 }, 7L, dtype: ScalarType.Int64);
        using var random = RandomStream.Create(1, CPU);
        using var dropped = PromptTokens.DropToNull(tokens, 0.25, random);

        var nullRows = dropped.eq(0).all(1).sum().item<long>();
        var keptRows = dropped.eq(7).all(1).sum().item<long>();
        Assert.Equal(rows, nullRows + keptRows); // a prompt is dropped whole or kept whole
        // Binomial(4000, 0.25): standard deviation 27 rows; ±120 is more than four of them.
        Assert.InRange(nullRows, 1000 - 120, 1000 + 120);
    }

    [Fact]
    public void Without_dropout_the_aligners_take_the_prompts_as_they_are_and_draw_nothing()
    {
        using var tokens = arange(12, dtype: ScalarType.Int64).reshape(4, 3) + 1;
        using var index = tensor(new long[] { 2, 0, 2 });
        using var random = RandomStream.Create(5, CPU);
        using var fresh = RandomStream.Create(5, CPU);

        using var prompts = FlowAlignment.Prompts(tokens, index, new AlignmentSettings(1, 3, 1e-3, null, 5), random);

        Assert.Equal(new long[] { 7, 8, 9, 1, 2, 3, 7, 8, 9 }, prompts.data<long>().ToArray());
        // The minibatch stream is untouched: the next draw is the same as a fresh stream's first.
        Assert.Equal(fresh.Rand(4).data<float>().ToArray(), random.Rand(4).data<float>().ToArray());
    }

    [Fact]
    public void With_dropout_some_prompts_of_a_minibatch_are_null()
    {
        using var tokens = ones(new long[] { 64, 2 }, dtype: ScalarType.Int64);
        using var index = arange(64, dtype: ScalarType.Int64);
        using var random = RandomStream.Create(9, CPU);

        using var prompts = FlowAlignment.Prompts(tokens, index, new AlignmentSettings(1, 64, 1e-3, null, 9) { CfgDropout = 0.5 }, random);

        var nullRows = prompts.eq(0).all(1).sum().item<long>();
        Assert.InRange(nullRows, 16, 48); // Binomial(64, 0.5): 32 ± 4 standard deviations
        Assert.Equal(0.0, KindDefaults.Of<FlowDpoOptions>().CfgDropout); // the catalogue's default: prompts always given
    }
}

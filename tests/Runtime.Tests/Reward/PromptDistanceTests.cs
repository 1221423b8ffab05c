using Pipeline.Runtime.Torch.Models.Reward;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>The TA distance head against its closed form, r = b − Σ_g √(‖U_g·v − G_g·p‖² + 10⁻³).</summary>
public sealed class PromptDistanceTests
{
    [Fact]
    public void With_identity_maps_the_score_is_the_bias_minus_the_summed_group_distances()
    {
        using var head = IdentityHead(features: 4, groups: 2, bias: 0.5);

        using var noGrad = no_grad();
        var video = tensor(new float[] { 1, 2, 3, 4, 0, 0, 0, 0 }, new long[] { 2, 4 });
        var prompt = tensor(new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, new long[] { 2, 4 });
        var scores = head.forward(video, prompt).data<float>().ToArray();

        // Row 0: groups (1−1, 2−0) and (3, 4): √(4 + ε) + √(25 + ε). Row 1: both groups at 0: 2·√ε.
        Assert.Equal(0.5 - Math.Sqrt(4.001) - Math.Sqrt(25.001), scores[0], 5);
        Assert.Equal(0.5 - (2 * Math.Sqrt(0.001)), scores[1], 5);
    }

    [Fact]
    public void A_video_on_its_prompt_target_outscores_one_that_misses_it()
    {
        using var head = IdentityHead(features: 3, groups: 1, bias: 0);

        using var noGrad = no_grad();
        var target = tensor(new float[] { 1, 0, 0 }, new long[] { 1, 3 });
        var onTarget = head.forward(target, target).item<float>();
        var tinted = head.forward(tensor(new float[] { 1, 0.1f, 0 }, new long[] { 1, 3 }), target).item<float>();
        var wrong = head.forward(tensor(new float[] { 0, 1, 0 }, new long[] { 1, 3 }), target).item<float>();

        Assert.True(onTarget > tinted && tinted > wrong, $"on target {onTarget}, tinted {tinted}, wrong {wrong}");
    }

    /// <summary>A head whose two linear maps are the identity (no biases) and whose bias is <paramref name="bias"/>.</summary>
    private static PromptDistance IdentityHead(int features, int groups, double bias)
    {
        var head = new PromptDistance(features, features, groups, features / groups);
        using (no_grad())
        {
            foreach (var (name, parameter) in head.named_parameters())
            {
                parameter.zero_();
                if (name.EndsWith("weight", StringComparison.Ordinal))
                {
                    parameter.add_(eye(features));
                }
            }

            head.named_parameters().Single(p => p.name == "bias").parameter.fill_(bias);
        }

        return head;
    }
}

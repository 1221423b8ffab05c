using Pipeline.Runtime.Torch;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Alignment;

/// <summary>The aligners' losses and gradients on tiny tensors against values worked out by hand.</summary>
public sealed class AlignmentLossTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Sft_is_the_mean_error_and_each_error_gets_one_over_the_batch()
    {
        using var scope = NewDisposeScope();
        var errors = tensor(new[] { 0.5f, 1.5f, 2.5f }).requires_grad_();
        var loss = AlignmentLosses.Sft(errors);
        loss.backward();
        Assert.Equal(1.5, loss.item<float>(), Tolerance);
        AssertClose(new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0 }, errors.grad!);
    }

    [Fact]
    public void Sft_through_the_flow_matching_error_has_the_closed_form_gradient()
    {
        // B = 2, D = 2: target = noise − x0; e_i = mean_j (v_ij − target_ij)²; loss = mean_i e_i.
        // ∂loss/∂v_ij = 2 (v_ij − target_ij) / (D · B).
        using var scope = NewDisposeScope();
        var x0 = tensor(new[] { 1f, 0f, -1f, 2f }, new long[] { 2, 2 });
        var noise = tensor(new[] { 0.5f, 0.5f, 0f, 1f }, new long[] { 2, 2 });
        var velocity = tensor(new[] { 0f, 1f, 2f, -1f }, new long[] { 2, 2 }).requires_grad_();
        // target = [[-0.5, 0.5], [1, -1]]; v − target = [[0.5, 0.5], [1, 0]]
        var loss = AlignmentLosses.Sft(FlowMatching.PerSampleError(velocity, x0, noise));
        loss.backward();
        // e = [(0.25 + 0.25)/2, (1 + 0)/2] = [0.25, 0.5]; loss = 0.375
        Assert.Equal(0.375, loss.item<float>(), Tolerance);
        AssertClose(new[] { 0.25, 0.25, 0.5, 0.0 }, velocity.grad!);
    }

    [Fact]
    public void Rwr_weights_are_a_softmax_of_reward_over_temperature_within_the_batch()
    {
        using var scope = NewDisposeScope();
        var errors = tensor(new[] { 1f, 2f, 4f }).requires_grad_();
        var rewards = tensor(new[] { 0f, (float)Math.Log(2), (float)Math.Log(4) }).requires_grad_();
        // temperature 1: weights exp(r) / Σ = [1, 2, 4] / 7; loss = (1 + 4 + 16) / 7 = 3
        var loss = AlignmentLosses.Rwr(errors, rewards, temperature: 1.0);
        loss.backward();
        Assert.Equal(3.0, loss.item<float>(), Tolerance);
        AssertClose(new[] { 1 / 7.0, 2 / 7.0, 4 / 7.0 }, errors.grad!);
        Assert.True(rewards.grad is null || rewards.grad.abs().sum().item<float>() == 0, "no gradient may flow into the rewards");

        // temperature 2: weights ∝ exp(r / 2) = [1, √2, 2]
        var z = 1 + Math.Sqrt(2) + 2;
        var weights = AlignmentLosses.RwrWeights(rewards, 2.0);
        AssertClose(new[] { 1 / z, Math.Sqrt(2) / z, 2 / z }, weights);
        Assert.Equal((1 + (2 * Math.Sqrt(2)) + 8) / z, AlignmentLosses.Rwr(errors, rewards, 2.0).item<float>(), Tolerance);
    }

    [Fact]
    public void Rwr_with_equal_rewards_is_plain_flow_matching()
    {
        using var scope = NewDisposeScope();
        var errors = tensor(new[] { 1f, 2f, 6f });
        Assert.Equal(3.0, AlignmentLosses.Rwr(errors, zeros(3), 0.5).item<float>(), Tolerance);
        Assert.Throws<ArgumentOutOfRangeException>(() => AlignmentLosses.RwrWeights(zeros(3), 0));
    }

    [Fact]
    public void Dpo_matches_the_hand_computed_loss_and_gradient()
    {
        // β = 2: (e_θw − e_rw) − (e_θl − e_rl) = (1 − 1.5) − (2 − 1) = −1.5; inside = −β/2 · (−1.5) = 1.5
        // loss = −log σ(1.5) = log(1 + e^−1.5) = 0.201413; ∂loss/∂e_θw = σ(−1.5)·β/2 = 0.182426, ∂loss/∂e_θl = −0.182426
        using var scope = NewDisposeScope();
        var policyW = tensor(new[] { 1.0f }).requires_grad_();
        var policyL = tensor(new[] { 2.0f }).requires_grad_();
        var referenceW = tensor(new[] { 1.5f }).requires_grad_();
        var referenceL = tensor(new[] { 1.0f }).requires_grad_();
        using var terms = AlignmentLosses.Dpo(policyW, referenceW, policyL, referenceL, beta: 2.0);
        terms.Loss.backward();
        Assert.Equal(Math.Log(1 + Math.Exp(-1.5)), terms.Loss.item<float>(), Tolerance);
        Assert.Equal(1.5, terms.Inside.item<float>(), Tolerance);
        var sigma = 1 / (1 + Math.Exp(1.5));
        Assert.Equal(sigma, policyW.grad!.item<float>(), Tolerance);
        Assert.Equal(-sigma, policyL.grad!.item<float>(), Tolerance);
        Assert.True(referenceW.grad is null && referenceL.grad is null, "the reference's errors are detached");
    }

    [Fact]
    public void Dpo_starts_at_log_two_with_zero_margin_and_pushes_the_winner_error_down()
    {
        // Policy = reference: inside = 0, loss = log 2, ∂loss/∂e_θw = σ(0)·β/2 = β/4 per pair, over the batch mean.
        using var scope = NewDisposeScope();
        var errorsW = tensor(new[] { 0.3f, 0.7f }).requires_grad_();
        var errorsL = tensor(new[] { 0.9f, 0.2f }).requires_grad_();
        using var terms = AlignmentLosses.Dpo(errorsW, errorsW.detach().clone(), errorsL, errorsL.detach().clone(), beta: 500.0);
        terms.Loss.backward();
        Assert.Equal(Math.Log(2), terms.Loss.item<float>(), Tolerance);
        AssertClose(new[] { 500 / 4.0 / 2, 500 / 4.0 / 2 }, errorsW.grad!);
        AssertClose(new[] { -500 / 4.0 / 2, -500 / 4.0 / 2 }, errorsL.grad!);
    }

    [Fact]
    public void Timestep_beta_is_beta_times_one_minus_t_squared_and_vanishes_at_pure_noise()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new[] { 0f, 0.5f, 1f });
        var beta = AlignmentLosses.TimestepBeta(8.0, t);
        AssertClose(new[] { 8.0, 2.0, 0.0 }, beta);

        // Per-pair β: pair 1 (t = 0.5, β_t = 2) is the hand example above; pair 2 (t = 1, β_t = 0) contributes log 2 and no gradient.
        var policyW = tensor(new[] { 1.0f, 3.0f }).requires_grad_();
        var policyL = tensor(new[] { 2.0f, 0.5f }).requires_grad_();
        using var terms = AlignmentLosses.Dpo(policyW, tensor(new[] { 1.5f, 1f }), policyL, tensor(new[] { 1.0f, 1f }), AlignmentLosses.TimestepBeta(8.0, tensor(new[] { 0.5f, 1f })));
        terms.Loss.backward();
        Assert.Equal((Math.Log(1 + Math.Exp(-1.5)) + Math.Log(2)) / 2, terms.Loss.item<float>(), Tolerance);
        var sigma = 1 / (1 + Math.Exp(1.5));
        AssertClose(new[] { sigma / 2, 0.0 }, policyW.grad!);
    }

    private static void AssertClose(double[] expected, Tensor actual)
    {
        var values = actual.detach().cpu().data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - values[i]) < Tolerance, $"element {i}: expected {expected[i]}, got {values[i]}");
        }
    }
}

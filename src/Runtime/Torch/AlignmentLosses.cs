using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>The terms of one Flow-DPO step: the scalar loss and, per pair, the argument of the log-sigmoid.</summary>
/// <param name="Loss">mean over pairs of −log σ(inside).</param>
/// <param name="Inside">inside = −β/2·[(e_θw − e_rw) − (e_θl − e_rl)] per pair, [B]: the implicit reward margin.</param>
public sealed record DpoTerms(Tensor Loss, Tensor Inside) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        Inside.Dispose();
    }
}

/// <summary>
/// The losses of the training-time aligners (videoalign-paper.md §3.2–3.4 and §6), written on per-sample
/// flow-matching errors e = mean over elements of (v_θ(x_t, t, y) − (ε − x0))² (<see cref="FlowMatching.PerSampleError"/>).
/// </summary>
/// <remarks>
/// <para><b>Error scale.</b> Errors are element means, as in the authors' public code (flow_grpo
/// <c>train_sd3_dpo.py</c>: <c>((pred − target)²).reshape(B, −1).mean(1)</c>), not the squared norm of the paper's
/// pseudo-code. β multiplies a difference of element means, so a given β here corresponds to β / D with summed errors
/// over D latent elements: the paper's β = 500 is on the element-mean scale of that code (which used 100 for SD3.5-M).</para>
/// <para><b>Flow-RWR normalisation</b> (the paper leaves it open; its issue #7 is unanswered): within each batch the
/// weights are w_i = softmax(r_i / temperature), so they sum to 1 and the loss Σ_i w_i·e_i is on the scale of a mean
/// flow-matching loss. This is the paper's exp(r) normalised over the batch (Flow-GRPO App. C.1 describes the same).</para>
/// </remarks>
public static class AlignmentLosses
{
    /// <summary>SFT: plain flow matching on the winners, the mean of the per-sample errors [B].</summary>
    public static Tensor Sft(Tensor errors) => errors.mean();

    /// <summary>The Flow-RWR weights softmax(r / temperature) over the batch [B] (no gradient flows into the rewards).</summary>
    public static Tensor RwrWeights(Tensor rewards, double temperature)
    {
        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be positive");
        }

        using var scope = NewDisposeScope();
        return (rewards.detach() / temperature).softmax(0).MoveToOuterDisposeScope();
    }

    /// <summary>Flow-RWR: Σ_i softmax(r / temperature)_i · e_i over the batch.</summary>
    public static Tensor Rwr(Tensor errors, Tensor rewards, double temperature)
    {
        using var scope = NewDisposeScope();
        return (RwrWeights(rewards, temperature) * errors).sum().MoveToOuterDisposeScope();
    }

    /// <summary>β_t = β·(1 − t)², the "direct derivation" of Flow-DPO (the paper's ablation), per sample [B].</summary>
    public static Tensor TimestepBeta(double beta, Tensor t)
    {
        using var scope = NewDisposeScope();
        return (beta * (1 - t).pow(2)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Flow-DPO (Eq. 6 with the sign convention of §3.2): loss = −log σ(−β/2·[(e_θw − e_rw) − (e_θl − e_rl)]),
    /// averaged over pairs; equal to softplus(β/2·[…]). <paramref name="beta"/> is a scalar tensor (constant β) or
    /// one value per pair (β_t). The reference errors must come from the frozen model run under no_grad.
    /// </summary>
    public static DpoTerms Dpo(Tensor policyWinner, Tensor referenceWinner, Tensor policyLoser, Tensor referenceLoser, Tensor beta)
    {
        using var scope = NewDisposeScope();
        var difference = (policyWinner - referenceWinner.detach()) - (policyLoser - referenceLoser.detach());
        var inside = -0.5 * beta * difference;
        var loss = -nn.functional.logsigmoid(inside).mean();
        return new DpoTerms(loss.MoveToOuterDisposeScope(), inside.MoveToOuterDisposeScope());
    }

    /// <summary>Flow-DPO with a constant β.</summary>
    public static DpoTerms Dpo(Tensor policyWinner, Tensor referenceWinner, Tensor policyLoser, Tensor referenceLoser, double beta)
    {
        using var b = tensor((float)beta, device: policyWinner.device);
        return Dpo(policyWinner, referenceWinner, policyLoser, referenceLoser, b);
    }
}

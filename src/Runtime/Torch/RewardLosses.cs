using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// The reward-model losses of the paper (§2.2, Eq. 1–2; the repository's <c>trainer.py compute_loss</c>), on one
/// batch of pairs × dimensions. Each dimension is an independent one-dimensional problem.
/// </summary>
/// <remarks>
/// <para>Inputs: <c>margins</c> Δ = r_A − r_B, shape [B, D]; <c>labels</c> h ∈ {+1 (A wins), −1 (B wins), 0 (tie)}
/// as floats, shape [B, D]; an optional <c>valid</c> mask (1 where the label is known; the repository's label 22 is
/// masked out).</para>
/// <para><b>Denominator.</b> Like the repository's <c>.mean()</c> after multiplying by the masks, every loss is
/// divided by the number of all elements B·D: a masked element (a tie under BT, or an unknown label) contributes 0
/// to the sum but still counts in the denominator. This is the paper's §2.2 "ties are masked out, but they still count
/// in the denominator of the mean", and it is why BT's loss scale shrinks as the tie rate grows.</para>
/// </remarks>
public static class RewardLosses
{
    /// <summary>
    /// Bradley-Terry with ties masked: mean over all B·D elements of 1[h ≠ 0]·valid·(−log σ(h·Δ)), i.e.
    /// −log σ(r_w − r_l) for decisive pairs and 0 for ties.
    /// </summary>
    public static Tensor BradleyTerry(Tensor margins, Tensor labels, Tensor? valid = null)
    {
        using var scope = NewDisposeScope();
        var decisive = labels.ne(0).to_type(margins.dtype);
        var mask = valid is null ? decisive : decisive * valid.to_type(margins.dtype);
        var loss = -nn.functional.logsigmoid(labels * margins) * mask;
        return loss.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Bradley-Terry with ties, the Rao-Kupper model with θ &gt; 1: the negative log-likelihood of the observed class,
    /// in the numerically stable form of the paper's §6 (and the repository's code):
    /// decisive: −log σ(h·Δ − ln θ); tie: −log σ(Δ − ln θ) − log σ(−Δ − ln θ) − ln(θ² − 1); mean over all B·D.
    /// </summary>
    public static Tensor BradleyTerryWithTies(Tensor margins, Tensor labels, double theta, Tensor? valid = null)
    {
        if (!(theta > 1) || double.IsInfinity(theta))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "the Rao-Kupper tie parameter θ must be a finite number above 1");
        }

        using var scope = NewDisposeScope();
        var logTheta = Math.Log(theta);
        var tie = labels.eq(0).to_type(margins.dtype);
        var decisiveLoss = -nn.functional.logsigmoid(labels * margins - logTheta);
        var tieLoss = -nn.functional.logsigmoid(margins - logTheta) - nn.functional.logsigmoid(-margins - logTheta) - Math.Log(theta * theta - 1);
        var loss = (decisiveLoss * (1 - tie)) + (tieLoss * tie);
        if (valid is not null)
        {
            loss = loss * valid.to_type(margins.dtype);
        }

        return loss.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The regression baseline (the paper's Eq. 1 / Fig. 2, the repository's <c>reg</c>): L = mean of (r − z)² over
    /// every video and dimension whose target is known (<paramref name="valid"/>; all when null). Here the targets z
    /// are per-video scores (the oracle's z-scores in the synthetic world; MOS − 3 in the repository).
    /// Unlike the pairwise losses, masked elements do not count in the denominator (the repository masks MOS = 0
    /// before MSE).
    /// </summary>
    public static Tensor Regression(Tensor scores, Tensor targets, Tensor? valid = null)
    {
        using var scope = NewDisposeScope();
        var squared = (scores - targets).square();
        if (valid is null)
        {
            return squared.mean().MoveToOuterDisposeScope();
        }

        var mask = valid.to_type(scores.dtype);
        return ((squared * mask).sum() / mask.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The centring penalty of the latent reward: γ · ½ (mean r_A² + mean r_B²) over all B·D scores. A pairwise loss
    /// sees only margins r_A − r_B, and with the same noise ε on both videos of a pair (the paper's design), a part of
    /// r that follows ε alone cancels in every margin: nothing in the BT loss holds it down, yet Flow-NRG follows its
    /// gradient. The penalty pins that part (and the offset) towards 0 while barely touching the margins.
    /// </summary>
    public static Tensor Centring(Tensor scoresA, Tensor scoresB, double weight)
    {
        using var scope = NewDisposeScope();
        var penalty = (scoresA.square().mean() + scoresB.square().mean()) * (float)(weight / 2);
        return penalty.MoveToOuterDisposeScope();
    }

    /// <summary>The Rao-Kupper probabilities (P(A ≻ B), P(tie), P(B ≻ A)) for a margin Δ, for reports and tests.</summary>
    public static (double A, double Tie, double B) RaoKupperProbabilities(double margin, double theta)
    {
        var logTheta = Math.Log(theta);
        var a = Sigmoid(margin - logTheta);
        var b = Sigmoid(-margin - logTheta);
        return (a, (theta * theta - 1) * a * b, b);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}

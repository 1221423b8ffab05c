namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// The simulated human annotator of the synthetic world. It sees the oracle's z-normalised score difference
/// (A − B) of one dimension plus Gaussian noise, and answers "tie" when the noisy difference is smaller than a
/// threshold in absolute value.
/// </summary>
/// <remarks>
/// This deliberately is not the Rao-Kupper model that the BTT loss assumes; with it, the paper's BTT-versus-BT
/// finding would be true by construction.
/// </remarks>
/// <param name="NoiseSd">Standard deviation of the Gaussian noise added to the difference.</param>
/// <param name="TieThreshold">Answers tie when |difference + noise| &lt; this.</param>
public sealed record Annotator(double NoiseSd, double TieThreshold)
{
    /// <summary>The label for a z-score difference <paramref name="difference"/> = score(A) − score(B).</summary>
    public PreferenceLabel Label(double difference, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var noisy = difference + NoiseSd * rng.NextGaussian();
        return Math.Abs(noisy) < TieThreshold ? PreferenceLabel.Tie : noisy > 0 ? PreferenceLabel.A : PreferenceLabel.B;
    }
}

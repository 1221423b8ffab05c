namespace Pipeline.Runtime.Torch;

/// <summary>LoRA settings: rank r and scale alpha (the update is scaled by alpha / r).</summary>
public sealed record LoraSettings(int Rank, double Alpha);

/// <summary>
/// The training budget every aligner shares (the paper: the same settings for SFT, RWR and DPO), and how it adapts
/// the policy: LoRA when <see cref="Lora"/> is set, full fine-tuning otherwise.
/// </summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="Batch">Samples (SFT, RWR) or pairs (DPO) per step.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Lora">LoRA settings, or null for full fine-tuning.</param>
/// <param name="Seed">Seed of the minibatches, noise, times and LoRA initialisation.</param>
/// <param name="GradientClip">Global gradient-norm clip (the authors' code: 1.0).</param>
public sealed record AlignmentSettings(int Steps, int Batch, double LearningRate, LoraSettings? Lora, long Seed, double GradientClip = 1.0)
{
    /// <summary>
    /// Probability that a training sample's prompt becomes the null prompt (per pair for DPO). 0 (the default, and the
    /// paper's code) aligns only the prompt-conditioned velocity; classifier-free guidance then extrapolates from an
    /// unconditional velocity the aligner never trained (docs/alignment.md, "Alignment and classifier-free guidance").
    /// </summary>
    public double CfgDropout { get; init; }
}

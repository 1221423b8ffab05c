using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// A text-alignment score that can only measure how a video matches its prompt: r = ⟨U·v, G·(p − p̄)⟩ / √width, with v
/// the video's features, p the prompt's vector and p̄ the mean prompt vector of the training prompts
/// (<see cref="PromptCentre"/>). r is linear in p − p̄, so its mean over the training prompts is 0 for every video: a
/// prompt-independent "better video" cannot raise it on average.
/// </summary>
/// <remarks>
/// Why: in preference data whose defects rise together across dimensions (the synthetic world's generators), one shared
/// notion of quality predicts the TA labels too, and a TA head free to use it learns little else; for Flow-NRG, whose
/// weights must steer, that made the TA gradient push the same way as VQ's (measured: docs/guidance.md). The latent
/// reward uses it; VideoReward-mini does not, because there the shortcut raises held-out accuracy (docs/reward.md).
/// </remarks>
public sealed class PromptMatch : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear video;
    private readonly Linear prompt;

    public PromptMatch(int width)
        : base(nameof(PromptMatch))
    {
        Width = width;
        video = nn.Linear(width, width);
        prompt = nn.Linear(width, width, hasBias: false);
        RegisterComponents();
    }

    public int Width { get; }

    /// <param name="features">Video features v [B, width].</param>
    /// <param name="centredPrompt">p − p̄ [B, width].</param>
    /// <returns>Scores [B, 1].</returns>
    public override Tensor forward(Tensor features, Tensor centredPrompt)
    {
        using var scope = NewDisposeScope();
        var match = video.forward(features) * prompt.forward(centredPrompt);
        return (match.sum(1, keepdim: true) / MathF.Sqrt(Width)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// p̄, the mean prompt vector of the training prompts. While training, it is recomputed from the training prompts'
/// tokens in every forward pass, so it follows the prompt encoder as it learns; <see cref="Freeze"/> stores it in a
/// buffer, saved with the weights, which scoring uses from then on.
/// </summary>
public sealed class PromptCentre : nn.Module
{
    private readonly Tensor centre;
    private Tensor? trainingTokens;

    public PromptCentre(int width)
        : base(nameof(PromptCentre))
    {
        centre = zeros(width); // a buffer: RegisterComponents registers tensor fields
        RegisterComponents();
    }

    /// <summary>Recompute p̄ from these tokens [N, L] in every forward pass, until <see cref="Freeze"/>.</summary>
    public void UseTrainingPrompts(Tensor tokens) => trainingTokens = tokens;

    /// <summary>p − p̄ for prompt vectors p [B, width], with <paramref name="encode"/> the prompt encoder.</summary>
    public Tensor Centred(Tensor p, Func<Tensor, Tensor> encode) =>
        trainingTokens is null ? p - centre : p - encode(trainingTokens).mean(new long[] { 0 });

    /// <summary>Stores p̄ of the training prompts and stops recomputing it.</summary>
    public void Freeze(Func<Tensor, Tensor> encode)
    {
        if (trainingTokens is null)
        {
            return;
        }

        using (no_grad())
        {
            using var mean = encode(trainingTokens).mean(new long[] { 0 });
            centre.copy_(mean);
        }

        trainingTokens = null;
    }
}

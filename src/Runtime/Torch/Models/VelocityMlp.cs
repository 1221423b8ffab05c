using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// A velocity network v(x_t, t, prompt) over flattened videos: an MLP on [x, time features, prompt vector]. It is the
/// pixel-space network (flow_generator without an autoencoder, as in the walking-skeleton example).
/// </summary>
/// <remarks>
/// Forward multiply-adds per sample: (D + 16 + 32)·W + W·W + W·D for D = C·T·H·W values and width W; a training step
/// costs about 6 × that × batch FLOPs (forward and backward). For D = 768 (3×4×8×8), W = 128: ≈ 0.22 M multiply-adds
/// per sample, ≈ 42 MFLOP per step at batch 32.
/// </remarks>
public sealed class VelocityMlp : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private const int TimeFeatures = 16;
    private const int PromptFeatures = 32;

    /// <summary>Inputs beside the flattened video: the time and prompt features.</summary>
    public const int InputFeatures = TimeFeatures + PromptFeatures;
    private readonly PromptEncoder prompt;
    private readonly Linear input;
    private readonly Linear hidden;
    private readonly Linear output;

    public VelocityMlp(int dimensions, int width)
        : base(nameof(VelocityMlp))
    {
        prompt = new PromptEncoder(PromptFeatures);
        input = nn.Linear(dimensions + TimeFeatures + PromptFeatures, width);
        hidden = nn.Linear(width, width);
        output = nn.Linear(width, dimensions);
        RegisterComponents();
    }

    /// <param name="x">Noisy samples [B, ...] (flattened inside).</param>
    /// <param name="t">Flow times [B].</param>
    /// <param name="tokens">Prompt token ids [B, L]; an all-zero row is the null prompt.</param>
    public override Tensor forward(Tensor x, Tensor t, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var flat = x.reshape(x.shape[0], -1);
        var features = cat(new[] { flat, TimeEmbedding.Encode(t, TimeFeatures), prompt.forward(tokens) }, 1);
        var h = nn.functional.silu(input.forward(features));
        h = nn.functional.silu(hidden.forward(h));
        return output.forward(h).reshape(x.shape).MoveToOuterDisposeScope();
    }
}

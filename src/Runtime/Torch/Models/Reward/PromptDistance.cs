using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>
/// A text-alignment score shaped as a distance: the video's features and the prompt's vector are each mapped into
/// <c>groups</c> small spaces, and r = b − Σ_g √(‖U_g·v − G_g·p‖² + ε). A prompt names a target (a colour, a
/// direction, a shape) and the video is scored by how far it lands from it; each group can learn one attribute, and
/// the square root makes a small miss cost nearly as much as a large one, as the oracle's √(angle) does.
/// </summary>
public sealed class PromptDistance : nn.Module<Tensor, Tensor, Tensor>
{
    private const double Epsilon = 1e-3;

    private readonly Linear video;
    private readonly Linear prompt;
    private readonly Parameter bias;
    private readonly int groups;

    public PromptDistance(int videoFeatures, int promptFeatures, int groups, int groupWidth)
        : base(nameof(PromptDistance))
    {
        this.groups = groups;
        video = nn.Linear(videoFeatures, groups * groupWidth);
        prompt = nn.Linear(promptFeatures, groups * groupWidth);
        bias = nn.Parameter(zeros(1));
        RegisterComponents();
    }

    /// <param name="features">Video features [B, videoFeatures].</param>
    /// <param name="promptVector">Prompt vectors [B, promptFeatures].</param>
    /// <returns>Scores [B, 1].</returns>
    public override Tensor forward(Tensor features, Tensor promptVector)
    {
        using var scope = NewDisposeScope();
        var gap = (video.forward(features) - prompt.forward(promptVector)).reshape(features.shape[0], groups, -1);
        var distance = (gap.square().sum(2) + Epsilon).sqrt();
        return (bias - distance.sum(1, keepdim: true)).MoveToOuterDisposeScope();
    }
}

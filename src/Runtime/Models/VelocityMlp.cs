using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Models;

/// <summary>
/// A velocity network v(x_t, t) over flattened videos: an MLP with time features. It is the small pixel-space
/// network of the walking-skeleton example; per step it costs about 2·B·(D·W + W·W + W·D) multiply-adds forward.
/// </summary>
public sealed class VelocityMlp : nn.Module<Tensor, Tensor, Tensor>
{
    private const int TimeFeatures = 16;
    private readonly Linear input;
    private readonly Linear hidden;
    private readonly Linear output;

    public VelocityMlp(int dimensions, int width)
        : base(nameof(VelocityMlp))
    {
        input = nn.Linear(dimensions + TimeFeatures, width);
        hidden = nn.Linear(width, width);
        output = nn.Linear(width, dimensions);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor t)
    {
        using var scope = NewDisposeScope();
        var features = cat(new[] { x, TimeEmbedding.Encode(t, TimeFeatures) }, 1);
        var h = nn.functional.silu(input.forward(features));
        h = nn.functional.silu(hidden.forward(h));
        return output.forward(h).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>A small score head: features [B, inputs] → scores [B, outputs] through one hidden GELU layer.</summary>
public sealed class ScoreHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    public ScoreHead(int inputs, int width, int outputs)
        : base(nameof(ScoreHead))
    {
        hidden = nn.Linear(inputs, width);
        output = nn.Linear(width, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        return output.forward(nn.functional.gelu(hidden.forward(features))).MoveToOuterDisposeScope();
    }
}

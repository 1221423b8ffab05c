using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>
/// Lets the prompt read the video: a prompt vector [B, width] scales and shifts every channel of the video feature
/// map [B, width, T, H', W'] (feature-wise linear modulation, h·(1 + γ(p)) + β(p), then GELU) before it is pooled,
/// so that "is the object red, and does it move left" is asked where the object is, not of pooled summaries.
/// γ and β start at zero.
/// </summary>
public sealed class PromptModulation : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear film;

    public PromptModulation(int width)
        : base(nameof(PromptModulation))
    {
        film = nn.Linear(width, 2 * width);
        using (no_grad())
        {
            film.weight!.zero_();
            film.bias!.zero_();
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor map, Tensor prompt)
    {
        using var scope = NewDisposeScope();
        var parameters = film.forward(prompt).chunk(2, 1);
        var shape = new long[] { prompt.shape[0], map.shape[1], 1, 1, 1 };
        var gamma = parameters[0].reshape(shape);
        var beta = parameters[1].reshape(shape);
        return nn.functional.gelu((map * (1 + gamma)) + beta).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>
/// The reward model's prompt encoder: token ids [B, L] (id 0 is padding; see <see cref="RewardPromptTokens"/>) → a
/// prompt vector [B, width]: the sum of a learned embedding per non-padding token, then a linear layer and GELU. An
/// all-padding row (an empty prompt) pools to zeros.
/// </summary>
/// <remarks>Summed rather than averaged, so a word's weight does not shrink with the prompt's length (the generator's
/// <see cref="Pipeline.Runtime.Torch.Models.PromptEncoder"/> measured why; see its remarks).</remarks>
public sealed class RewardPromptEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly Linear project;

    public RewardPromptEncoder(int vocabulary, int width)
        : base(nameof(RewardPromptEncoder))
    {
        Vocabulary = vocabulary;
        embedding = nn.Embedding(vocabulary, width, padding_idx: 0);
        project = nn.Linear(width, width);
        RegisterComponents();
    }

    public int Vocabulary { get; }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var mask = tokens.ne(0).to_type(ScalarType.Float32).unsqueeze(-1);
        var pooled = (embedding.forward(tokens) * mask).sum(1);
        return nn.functional.gelu(project.forward(pooled)).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Models;

/// <summary>
/// Prompt token ids [B, L] (see <see cref="PromptTokens"/>) → a prompt vector [B, features]: a learned embedding per
/// token, mean-pooled over the non-padding tokens. An all-padding row (the null prompt of classifier-free guidance)
/// gives the learned null vector instead.
/// </summary>
public sealed class PromptEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly Parameter nullPrompt;

    public PromptEncoder(int features)
        : base(nameof(PromptEncoder))
    {
        Features = features;
        embedding = nn.Embedding(PromptTokens.Buckets, features, padding_idx: 0);
        nullPrompt = nn.Parameter(zeros(features));
        RegisterComponents();
    }

    public int Features { get; }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var mask = tokens.ne(0).to_type(ScalarType.Float32).unsqueeze(-1);
        var count = mask.sum(1);
        var pooled = (embedding.forward(tokens) * mask).sum(1) / count.clamp_min(1);
        var isNull = count.eq(0).to_type(ScalarType.Float32);
        return ((pooled * (1 - isNull)) + (nullPrompt.unsqueeze(0) * isNull)).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// Prompt token ids [B, L] (see <see cref="PromptTokens"/>) → a prompt vector [B, features]: the sum of a learned
/// embedding per non-padding token. An all-padding row (the null prompt of classifier-free guidance) gives the learned
/// null vector instead.
/// </summary>
/// <remarks>
/// Summed, not averaged: with the mean of a synthetic prompt's seven words, each attribute word carried a seventh of
/// the vector, and a latent generator trained for 1000 steps learned colour but ignored the prompted direction
/// (its x0 prediction at t = 1 was the same for "left", "right", "up" and "down"); with the sum, the same run learned
/// the direction (mean direction error of samples 85° → 43°, measured on the generator example's world, oracle 1.2).
/// </remarks>
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
        var pooled = (embedding.forward(tokens) * mask).sum(1);
        var isNull = count.eq(0).to_type(ScalarType.Float32);
        return ((pooled * (1 - isNull)) + (nullPrompt.unsqueeze(0) * isNull)).MoveToOuterDisposeScope();
    }
}

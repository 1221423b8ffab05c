using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Models.Reward;

/// <summary>How the prompt reaches the per-dimension scores (the catalogue's <c>tokens</c> property).</summary>
public enum RewardTokenMode
{
    /// <summary>
    /// The paper's separate reward tokens: VQ and MQ are read before the prompt (context-agnostic: they see only the
    /// video), TA after it (context-aware). One head per dimension.
    /// </summary>
    Separate,

    /// <summary>The shared-token ablation: one head reads video and prompt together and outputs every dimension.</summary>
    Shared,
}

/// <summary>
/// VideoReward-mini: (video [B, 3, T, H, W] in [0, 1], prompt token ids [B, L]) → one raw score per dimension [B, D].
/// Under <see cref="RewardTokenMode.Separate"/> the VQ and MQ heads read only the video features, so their scores
/// cannot change with the prompt; every other dimension (TA) reads fused features [v_p, p, v_p ⊙ p], where v_p pools
/// the video feature map after the prompt has modulated it (<see cref="PromptModulation"/>). Under
/// <see cref="RewardTokenMode.Shared"/> one head reads those fused features and outputs all D scores.
/// </summary>
public sealed class VideoRewardNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly RewardVideoEncoder video;
    private readonly RewardPromptEncoder prompt;
    private readonly PromptModulation modulation;
    private readonly ModuleList<ScoreHead> heads;
    private readonly bool[] contextAgnostic;

    public VideoRewardNetwork(IReadOnlyList<string> dimensions, RewardTokenMode mode, int vocabulary, int width)
        : base(nameof(VideoRewardNetwork))
    {
        if (dimensions.Count == 0)
        {
            throw new ArgumentException("a reward model needs at least one dimension", nameof(dimensions));
        }

        Dimensions = dimensions.ToArray();
        Mode = mode;
        Width = width;
        video = new RewardVideoEncoder(width);
        prompt = new RewardPromptEncoder(vocabulary, width);
        modulation = new PromptModulation(width);
        contextAgnostic = Dimensions.Select(IsContextAgnostic).ToArray();
        heads = mode == RewardTokenMode.Shared
            ? nn.ModuleList(new ScoreHead(3 * width, width, Dimensions.Count))
            : nn.ModuleList(contextAgnostic.Select(agnostic => new ScoreHead(agnostic ? width : 3 * width, width, 1)).ToArray());
        RegisterComponents();
    }

    public IReadOnlyList<string> Dimensions { get; }

    public RewardTokenMode Mode { get; }

    public int Width { get; }

    public int Vocabulary => prompt.Vocabulary;

    /// <summary>Whether a dimension is read before the prompt under separate tokens (VQ and MQ, as in the paper).</summary>
    public static bool IsContextAgnostic(string dimension) => dimension is "VQ" or "MQ";

    public override Tensor forward(Tensor videos, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (map, motion) = video.Encode(videos);
        Tensor Fused()
        {
            var p = prompt.forward(tokens);
            var read = video.Pool(modulation.forward(map, p), motion);
            return cat(new[] { read, p, read * p }, 1);
        }

        if (Mode == RewardTokenMode.Shared)
        {
            return heads[0].forward(Fused()).MoveToOuterDisposeScope();
        }

        var v = video.Pool(map, motion);
        var fused = contextAgnostic.All(a => a) ? null : Fused();
        var scores = new Tensor[Dimensions.Count];
        for (var d = 0; d < scores.Length; d++)
        {
            scores[d] = heads[d].forward(contextAgnostic[d] ? v : fused!);
        }

        return cat(scores, 1).MoveToOuterDisposeScope();
    }
}

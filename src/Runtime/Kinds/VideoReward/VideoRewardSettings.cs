using Pipeline.Runtime.Torch.Models.Reward;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>The resolved settings of reward-model training (the <c>video_reward</c> stage's options).</summary>
/// <param name="Dimensions">The scored dimensions (VQ, MQ, TA; Overall is derived, never trained).</param>
/// <param name="Loss">BT, BTT(θ) or regression.</param>
/// <param name="Tokens">Separate (VQ and MQ never see the prompt) or shared tokens.</param>
/// <param name="Width">Hidden width of the encoders and heads.</param>
/// <param name="Epochs">Passes over the training pairs.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Batch">Pairs per step.</param>
/// <param name="Seed">Seeds the weights and the order of the pairs.</param>
public sealed record VideoRewardSettings(
    IReadOnlyList<string> Dimensions,
    RewardLoss Loss,
    RewardTokenMode Tokens,
    int Width,
    int Epochs,
    double LearningRate,
    int Batch,
    long Seed);

using Pipeline.Catalog.Checks;
using static Pipeline.Catalog.Types;

namespace Pipeline.Catalog.Kinds;

internal static class RewardKinds
{
    public static readonly StageKind VideoReward = new(
        "video_reward",
        StageRole.Reward,
        ArtifactType.RewardModel,
        "VideoReward-mini: a video encoder (factorised 3-D convolutions, soft-argmax motion tracks, attended object colours and velocities) and a GPT-2-token prompt encoder; VQ and MQ scored from the video alone, TA as a distance between video and prompt; trained on pairwise preferences.",
        new[]
        {
            PropertyDefinition.Require("train", new ReferenceType(ArtifactType.PreferencePairs), "Training pairs, e.g. prefs.train."),
            PropertyDefinition.Optional("eval", new ReferenceType(ArtifactType.PreferencePairs), "Held-out pairs for reward_accuracy, oracle_accuracy and the Overall z-normalisation, e.g. prefs.eval."),
            P("loss", new VariantType(new[]
            {
                new VariantCase("bt", Array.Empty<PropertyDefinition>()),
                new VariantCase("btt", new[] { P("theta", new RealType(1, double.PositiveInfinity, MinExclusive: true), 5.0, "Rao-Kupper tie parameter; larger makes ties likelier.") }),
                new VariantCase("regression", Array.Empty<PropertyDefinition>()),
            }, KindType("VideoReward.RewardLoss")), VariantValue.Named("btt", Map(("theta", 5.0))), "Bradley-Terry (ties masked), Bradley-Terry with ties (Rao-Kupper), or regression on per-video scores."),
            P("tokens", new EnumType(new[] { "separate", "shared" }, RuntimeType.Named("Pipeline.Runtime.Torch.Models.Reward.RewardTokenMode")), "separate", "separate: VQ and MQ never see the prompt (the paper's design); shared: every dimension does."),
            P("width", Count(4, 4096), 32L, "Hidden width of the encoders."),
            P("epochs", Count(0, 10_000), 5L, "Passes over the training pairs (measured: 5 epochs of 6,400 pairs reach the accuracies in docs/reward.md); 0 (only with init) uses the given weights as they are."),
            P("lr", LearningRate, 2e-3, "Adam learning rate (the paper's 2e-6 is for a 2B-parameter VLM; this model has about 10^5 trained weights besides the token embedding)."),
            P("batch", Count(1, 4096), 32L, "Pairs per step."),
            Init("epochs"),
        })
    {
        Shape = new ShapeRule { Dimensions = new FromInput("train") },
        Checks = [new TiesKeptFor("loss", "btt", "train"), new GivenWeightsReadable(InitFiles.Property, "epochs")],
    };

    public static readonly StageKind LatentReward = new(
        "latent_reward",
        StageRole.Reward,
        ArtifactType.LatentRewardModel,
        "A time-dependent reward model on (noisy) latents, for Flow-NRG guidance without decoding.",
        new[]
        {
            PropertyDefinition.Require("train", new ReferenceType(ArtifactType.PreferencePairs), "Training pairs, e.g. prefs.train."),
            PropertyDefinition.Optional("autoencoder", new ReferenceType(ArtifactType.Autoencoder), "The autoencoder whose latents it scores; defaults to the guided generator's."),
            P("noisy", new BooleanType(), true, "Train on noisy latents x_t (the paper's design); false trains on clean latents, for the ablation."),
            P("width", Count(4, 4096), 32L, "Hidden width."),
            P("epochs", Count(0, 10_000), 4L, "Passes over the training pairs; 0 (only with init) uses the given weights as they are."),
            P("centring", new RealType(0, double.PositiveInfinity), 0.01, "Weight γ of the penalty γ·mean(r²) on the scores. Both videos of a pair share their noise, so a part of r that follows the noise alone cancels in every margin; unpinned, its gradient pushed guided samples apart (docs/guidance.md). 0 is the paper's plain BT loss."),
            P("lr", LearningRate, 1e-3, "Adam learning rate."),
            P("batch", Count(1, 4096), 32L, "Pairs per step."),
            Init("epochs"),
        })
    {
        Shape = new ShapeRule { Dimensions = new FromInput("train"), Noisy = new FromProperty("noisy") },
        Checks = [new GivenWeightsReadable(InitFiles.Property, "epochs")],
    };
}

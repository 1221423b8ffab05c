using Pipeline.Catalog.Checks;
using static Pipeline.Catalog.Types;

namespace Pipeline.Catalog.Kinds;

internal static class ModelKinds
{
    public static readonly StageKind Autoencoder = new(
        "autoencoder",
        StageRole.Model,
        ArtifactType.Autoencoder,
        "A small video autoencoder (the paper's VAE): videos to compact latents and back, compressing each frame spatially and keeping every frame; reports its reconstruction error.",
        new[]
        {
            PropertyDefinition.Require("data", new ReferenceType(ArtifactType.Videos), "The videos it is trained on, e.g. world.videos."),
            P("latent", Shape(4, 1, 256), List(4L, 8L, 4L, 4L), "Latent shape [C, T, H, W]; T equals the videos' frames, H and W divide theirs by the same power of two."),
            P("width", Count(4, 1024), 64L, "Channels of the convolutional layers."),
            P("steps", Count(0, 1_000_000), 400L, "Training steps; 0 (only with init) uses the given weights as they are."),
            P("lr", LearningRate, 1e-3, "Adam learning rate."),
            P("batch", Count(1, 4096), 32L, "Videos per step."),
            P("edges", new BooleanType(), true, "Also fit the reconstruction's pixel differences, so edges stay sharp and the oracle's VQ ranking survives reconstruction (docs/generation-and-evaluation.md)."),
            Init("steps"),
        })
    {
        Checks = [new LatentFitsVideos("latent", "data"), new ReadByAnotherStage(), new GivenWeightsReadable(InitFiles.Property, "steps")],
    };

    public static readonly StageKind FlowGenerator = new(
        "flow_generator",
        StageRole.Model,
        ArtifactType.Generator,
        "A rectified-flow video generator conditioned on the prompt, pretrained by flow matching (x_t = (1-t)x0 + t·eps, target eps - x0).",
        new[]
        {
            PropertyDefinition.Optional("autoencoder", new ReferenceType(ArtifactType.Autoencoder), "The autoencoder whose latents it generates; absent means pixel space."),
            PropertyDefinition.Require("pretrain", new RecordType(new[]
            {
                PropertyDefinition.Require("data", new ReferenceType(ArtifactType.Videos), "The videos it is pretrained on, e.g. world.videos."),
                P("steps", Count(0, 1_000_000), 800L, "Pretraining steps; 0 (only with init) uses the given weights as they are."),
                P("lr", LearningRate, 1e-3, "Adam learning rate."),
                P("batch", Count(1, 4096), 32L, "Videos per step."),
            }, KindType("FlowGenerator.FlowGeneratorOptions+PretrainOptions")), "Flow-matching pretraining: { data: world.videos, steps: 800, lr: 1e-3, batch: 32 }."),
            P("width", Count(4, 4096), 64L, "Hidden width of the velocity network."),
            P("timesteps", new EnumType(new[] { "uniform", "logit_normal" }, KindType("FlowGenerator.FlowTimesteps")), "uniform", "How training samples t."),
            P("cfg_dropout", new RealType(0, 1, MaxExclusive: true), 0.1, "Probability of dropping the prompt in training, for classifier-free guidance."),
            P("cfg_scale", NonNegative, 1.0, "Classifier-free guidance scale at sampling; 1 means no guidance. A sampling setting: changing it retrains nothing.") with { SamplingSetting = true },
            P("sampling_steps", Count(1, 1000), 16L, "Euler steps from t = 1 to t = 0. A sampling setting: changing it retrains nothing.") with { SamplingSetting = true },
            Init("pretrain.steps"),
        })
    {
        Checks = [new GivenWeightsReadable(InitFiles.Property, "pretrain.steps")],
    };
}

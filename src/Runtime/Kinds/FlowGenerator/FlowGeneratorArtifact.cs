using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>
/// The stage cache's form of a flow generator (pretrained, aligned or sampled at another guidance scale: every kind
/// whose artifact is a <see cref="FlowGeneratorModel"/>): <c>generator.ckpt</c> (<see cref="GeneratorCheckpoint"/>).
/// </summary>
public static class FlowGeneratorArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Of<FlowGeneratorModel>(
        "flow_generator",
        (generator, folder) => GeneratorCheckpoint.Save(generator, Path.Combine(folder, "generator.ckpt")),
        (folder, device) => GeneratorCheckpoint.Load(Path.Combine(folder, "generator.ckpt"), device));
}

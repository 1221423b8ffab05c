using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>
/// The stage cache's form of a flow generator (pretrained, aligned or sampled at another guidance scale: every kind
/// whose artifact is a <see cref="FlowGeneratorModel"/>): its model file (<see cref="FlowGeneratorFile"/>).
/// </summary>
public static class FlowGeneratorArtifact
{
    public static ArtifactFormat Format { get; } = ArtifactFormat.Model<FlowGeneratorModel>("flow_generator", FlowGeneratorFile.Save, FlowGeneratorFile.Load);
}

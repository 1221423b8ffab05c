namespace Pipeline.Runtime.Kinds;

/// <summary>
/// <c>init = file("base.safetensors")</c> of a trained kind: the weights it starts from, the path as the experiment
/// file wrote it (relative to that file; <see cref="GivenWeights"/> resolves and checks it).
/// </summary>
public sealed record WeightsFile(string Path)
{
    /// <summary>The catalogue's case <c>file(path: …)</c>, which the compiler emits as <c>WeightsFile.File(path: "…")</c>.</summary>
    public static WeightsFile File(string path) => new(path);
}

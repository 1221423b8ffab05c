using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// How the stage cache stores one type of artifact in an entry's <c>artifact/</c> folder: the name the entry's type
/// file holds, and how to write the folder and read it back. A kind whose artifact is stored declares its format in
/// its own folder (<c>Kinds/&lt;Kind&gt;/&lt;Kind&gt;Artifact.cs</c>); the stage cache lists them
/// (<c>Execution/Caching/ArtifactStore</c>).
/// </summary>
/// <param name="Type">The name in the entry's type file, e.g. <c>flow_generator</c>.</param>
/// <param name="Artifact">The artifact's runtime type.</param>
/// <param name="Save">Writes an artifact into a folder.</param>
/// <param name="Load">Reads the artifact of a folder onto a device.</param>
public sealed record ArtifactFormat(string Type, Type Artifact, Action<object, string> Save, Func<string, Device, object> Load)
{
    public static ArtifactFormat Of<T>(string type, Action<T, string> save, Func<string, Device, T> load)
        where T : class =>
        new(type, typeof(T), (artifact, folder) => save((T)artifact, folder), (folder, device) => load(folder, device));
}

using Pipeline.Runtime.Core;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// How the stage cache stores one type of artifact in an entry's <c>artifact/</c> folder: the name the entry's type
/// file holds, and how to write the folder and read it back. A kind whose artifact is stored declares its format in
/// its own folder (<c>Kinds/&lt;Kind&gt;/&lt;Kind&gt;Artifact.cs</c>); the stage cache lists them
/// (<c>Execution/Caching/ArtifactStore</c>). A trained model is stored as one model file (<see cref="Model{T}"/>:
/// safetensors with its provenance, docs/contracts.md "Model files"), which a run exports as it is.
/// </summary>
/// <param name="Type">The name in the entry's type file, e.g. <c>flow_generator</c>.</param>
/// <param name="Artifact">The artifact's runtime type.</param>
/// <param name="Save">Writes an artifact into a folder, with the provenance of the stage that made it.</param>
/// <param name="Load">Reads the artifact of a folder onto a device.</param>
public sealed record ArtifactFormat(string Type, Type Artifact, Action<object, string, ModelProvenance> Save, Func<string, Device, object> Load)
{
    /// <summary>The name of the model file in the folder of an artifact that is one model (<see cref="IsModelFile"/>).</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>Whether the folder holds exactly one model file, <see cref="ModelFileName"/>, which a run exports.</summary>
    public bool IsModelFile => SaveModelFile is not null;

    /// <summary>For an artifact that is one model: writes its model file to a path, with a provenance.</summary>
    public Action<object, string, ModelProvenance>? SaveModelFile { get; private init; }

    public static ArtifactFormat Of<T>(string type, Action<T, string, ModelProvenance> save, Func<string, Device, T> load)
        where T : class =>
        new(type, typeof(T), (artifact, folder, provenance) => save((T)artifact, folder, provenance), (folder, device) => load(folder, device));

    /// <summary>An artifact that is one model: written by <paramref name="save"/> to, and read by <paramref name="load"/> from, <see cref="ModelFileName"/>.</summary>
    public static ArtifactFormat Model<T>(string type, Action<T, string, ModelProvenance> save, Func<string, Device, T> load)
        where T : class =>
        Of<T>(type, (artifact, folder, provenance) => save(artifact, Path.Combine(folder, ModelFileName), provenance), (folder, device) => load(Path.Combine(folder, ModelFileName), device))
            with { SaveModelFile = (artifact, path, provenance) => save((T)artifact, path, provenance) };
}

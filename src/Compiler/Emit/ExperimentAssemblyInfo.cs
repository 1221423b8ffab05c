using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Pipeline.Compiler.Emit;

/// <summary>
/// What a compiled experiment assembly says about itself, read from its metadata without loading it (so
/// <c>pipeline inspect</c> needs neither the runtime nor TorchSharp): the AssemblyMetadata attributes the compiler embeds.
/// </summary>
public sealed record ExperimentAssemblyInfo(
    string Experiment,
    string SourceSha256,
    string CanonicalSource,
    string CompilerVersion,
    string RuntimeVersion,
    ImmutableArray<(string Name, string Kind, string Hash)> Stages)
{
    public const string Prefix = "pipeline.";

    /// <summary>Reads the embedded metadata; null when the file is not a compiled experiment.</summary>
    public static ExperimentAssemblyInfo? Read(string path)
    {
        // A pipe or a device reports no length (opening a pipe would block until something writes to it): no assembly.
        var file = new FileInfo(path);
        if ((file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file) is { Exists: true, Length: 0 })
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return null;
        }

        var reader = pe.GetMetadataReader();
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (AttributeTypeName(reader, attribute) != "AssemblyMetadataAttribute")
            {
                continue;
            }

            var blob = reader.GetBlobReader(attribute.Value);
            if (blob.ReadUInt16() != 1)
            {
                continue;
            }

            var key = blob.ReadSerializedString();
            var value = blob.ReadSerializedString();
            if (key is not null && value is not null && key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                values[key] = value;
            }
        }

        if (!values.TryGetValue(Prefix + "experiment", out var experiment))
        {
            return null;
        }

        var stages = values
            .Where(p => p.Key.StartsWith(Prefix + "stage.", StringComparison.Ordinal))
            .Select(p => (Name: p.Key[(Prefix.Length + "stage.".Length)..], Parts: p.Value.Split(' ', 2)))
            .Select(p => (p.Name, p.Parts[0], p.Parts.Length > 1 ? p.Parts[1] : string.Empty))
            .ToImmutableArray();
        return new ExperimentAssemblyInfo(
            experiment,
            values.GetValueOrDefault(Prefix + "source_sha256", string.Empty),
            values.GetValueOrDefault(Prefix + "canonical_source", string.Empty),
            values.GetValueOrDefault(Prefix + "compiler_version", string.Empty),
            values.GetValueOrDefault(Prefix + "runtime_version", string.Empty),
            stages);
    }

    private static string AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        var constructor = attribute.Constructor;
        EntityHandle type = constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType(),
            _ => default,
        };
        return type.Kind switch
        {
            HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => string.Empty,
        };
    }
}

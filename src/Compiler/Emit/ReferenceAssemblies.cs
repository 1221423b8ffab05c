using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Pipeline.Compiler.Emit;

/// <summary>The assemblies generated code compiles against, loaded once per path as Roslyn metadata.</summary>
public static class ReferenceAssemblies
{
    public const string RuntimeFileName = "Pipeline.Runtime.dll";
    private static readonly ConcurrentDictionary<string, MetadataReference> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// What the CLI hands in: Pipeline.Runtime.dll and every assembly it references, transitively, found among the
    /// framework's trusted platform assemblies and the managed dlls in <paramref name="directory"/> (the CLI's folder,
    /// which holds the Runtime, the Catalog, TorchSharp and ML.NET). The closure, not the whole framework, because
    /// Roslyn's cold start grows with every reference it loads.
    /// </summary>
    public static ImmutableArray<string> FromHost(string directory)
    {
        var available = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            available.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        }

        if (Directory.Exists(directory))
        {
            foreach (var path in Directory.GetFiles(directory, "*.dll"))
            {
                available.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
        }

        var result = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(new[] { "Pipeline.Runtime", "Pipeline.Catalog", "netstandard", "System.Runtime", "System.Collections" });
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name) || !available.TryGetValue(name, out var path))
            {
                continue;
            }

            var references = AssemblyReferences(path);
            if (references is null)
            {
                continue;
            }

            result.Add(path);
            foreach (var reference in references)
            {
                pending.Push(reference);
            }
        }

        return result.ToImmutableArray();
    }

    /// <summary>The names of the assemblies an assembly references; null when the file is not managed.</summary>
    private static IReadOnlyList<string>? AssemblyReferences(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            if (!pe.HasMetadata)
            {
                return null;
            }

            var reader = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            return reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>The version of Pipeline.Runtime.dll among <paramref name="paths"/>, or null.</summary>
    public static string? RuntimeVersion(IEnumerable<string> paths)
    {
        var runtime = paths.FirstOrDefault(p => string.Equals(Path.GetFileName(p), RuntimeFileName, StringComparison.OrdinalIgnoreCase));
        return runtime is null || !File.Exists(runtime) ? null : AssemblyName.GetAssemblyName(runtime).Version?.ToString();
    }

    internal static ImmutableArray<MetadataReference> Load(IEnumerable<string> paths) =>
        paths.Where(File.Exists).Select(p => Cache.GetOrAdd(p, path => MetadataReference.CreateFromFile(path))).ToImmutableArray();
}

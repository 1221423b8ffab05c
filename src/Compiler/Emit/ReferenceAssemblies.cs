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
    /// The framework's trusted platform assemblies plus every managed dll in <paramref name="directory"/> (the CLI's
    /// folder, which holds Pipeline.Runtime, Pipeline.Catalog, TorchSharp and ML.NET): what the CLI hands in.
    /// </summary>
    public static ImmutableArray<string> FromHost(string directory)
    {
        var platform = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        // The platform's assemblies are managed by definition; only the host folder may hold native dlls.
        var local = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.dll").Where(IsManaged) : Array.Empty<string>();
        return platform.Concat(local)
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Order(StringComparer.Ordinal)
            .ToImmutableArray();
    }

    /// <summary>The version of Pipeline.Runtime.dll among <paramref name="paths"/>, or null.</summary>
    public static string? RuntimeVersion(IEnumerable<string> paths)
    {
        var runtime = paths.FirstOrDefault(p => string.Equals(Path.GetFileName(p), RuntimeFileName, StringComparison.OrdinalIgnoreCase));
        return runtime is null || !File.Exists(runtime) ? null : AssemblyName.GetAssemblyName(runtime).Version?.ToString();
    }

    internal static ImmutableArray<MetadataReference> Load(IEnumerable<string> paths) =>
        paths.Where(File.Exists).Select(p => Cache.GetOrAdd(p, path => MetadataReference.CreateFromFile(path))).ToImmutableArray();

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
        catch (FileLoadException)
        {
            return false;
        }
    }
}

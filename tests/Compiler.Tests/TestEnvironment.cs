using System.Collections.Immutable;
using System.Reflection;
using Pipeline.Compiler.Emit;

namespace Pipeline.Compiler.Tests;

/// <summary>Where the repository, the Runtime's assembly files and NuGet's packages are, as the build recorded them.</summary>
internal static class TestEnvironment
{
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    public static string ExamplesDirectory => Path.Combine(RepositoryRoot, "examples");

    public static string BaselinesDirectory => Path.Combine(RepositoryRoot, "tests", "Compiler.Tests", "Baselines");

    public static bool UpdateBaselines => Environment.GetEnvironmentVariable("PIPELINE_UPDATE_BASELINES") == "1";

    /// <summary>
    /// The framework, the Runtime's output folder (Runtime and Catalog) and the managed TorchSharp and ML.NET
    /// assemblies from the package folder: the same set the CLI hands in, as metadata only.
    /// </summary>
    public static ImmutableArray<string> References { get; } = LoadReferences();

    public static IEnumerable<string> Examples() =>
        Directory.GetFiles(ExamplesDirectory, "*.pipe").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static CompilationOptions Options(string cacheDirectory, params string[] overrides) => new()
    {
        ReferencePaths = References,
        CacheDirectory = cacheDirectory,
        Overrides = overrides.Select(o => Binding.SetOverride.Parse(o)!).ToImmutableArray(),
    };

    private static ImmutableArray<string> LoadReferences()
    {
        var runtime = Metadata("RuntimeDirectory");
        var packages = Metadata("NuGetPackageRoot");
        var extra = new List<string>();
        foreach (var package in new[] { "torchsharp", "microsoft.ml", "microsoft.ml.core", "microsoft.ml.data", "microsoft.ml.dataview", "microsoft.ml.cpumath" })
        {
            var folder = Path.Combine(packages, package);
            if (Directory.Exists(folder))
            {
                var latest = Directory.GetDirectories(folder).Order(StringComparer.Ordinal).Last();
                var lib = Directory.GetDirectories(Path.Combine(latest, "lib")).Order(StringComparer.Ordinal).Last();
                extra.AddRange(Directory.GetFiles(lib, "*.dll"));
            }
        }

        var paths = ReferenceAssemblies.FromHost(runtime).Concat(extra)
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .ToImmutableArray();
        if (!paths.Any(p => p.EndsWith(ReferenceAssemblies.RuntimeFileName, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"no {ReferenceAssemblies.RuntimeFileName} in {runtime}; build src/Runtime");
        }

        return paths;
    }

    private static string Metadata(string key) =>
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

/// <summary>A fresh temporary folder, deleted afterwards: every test gets its own cache (contracts.md).</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-compiler-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

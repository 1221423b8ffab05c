namespace Pipeline.Runtime.Core;

/// <summary>
/// The runtime's own version and build. The build is the assembly version and the first 16 hex digits of its module
/// version id, which the compiler derives from the compiled code (deterministic builds), so it changes whenever the
/// runtime's code does. Stage hashes cover the version only (contracts.md), which stays the same across code changes;
/// the build is what the stage cache keys entries by (an entry of another build is stale, docs/caching.md), what the
/// compiler keys its assembly cache by, and what a model file and a training checkpoint record.
/// </summary>
public static class RuntimeAssembly
{
    /// <summary>The assembly version, <c>0.1.0.0</c>.</summary>
    public static string Version { get; } = typeof(RuntimeAssembly).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The version and build: <c>0.1.0.0+</c> the first 16 hex digits of the module version id.</summary>
    public static string Build { get; } = $"{Version}+{typeof(RuntimeAssembly).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..16]}";
}

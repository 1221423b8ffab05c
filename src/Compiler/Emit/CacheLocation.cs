namespace Pipeline.Compiler.Emit;

/// <summary>
/// Where caches live (contracts.md): $PIPELINE_CACHE, else $XDG_CACHE_HOME/pipeline, else ~/.cache/pipeline. The
/// same rule as the runtime's CachePaths, restated here because the compiler must not reference the runtime.
/// </summary>
public static class CacheLocation
{
    public static string Root
    {
        get
        {
            var explicitRoot = Environment.GetEnvironmentVariable("PIPELINE_CACHE");
            if (!string.IsNullOrWhiteSpace(explicitRoot))
            {
                return Path.GetFullPath(explicitRoot);
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            return !string.IsNullOrWhiteSpace(xdg)
                ? Path.Combine(Path.GetFullPath(xdg), "pipeline")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pipeline");
        }
    }

    /// <summary>The folder of one cached assembly.</summary>
    public static string Assembly(string? root, string key) => Path.Combine(root ?? Root, "assemblies", key);
}

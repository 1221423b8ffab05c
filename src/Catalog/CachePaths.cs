namespace Pipeline.Catalog;

/// <summary>
/// Where caches live (contracts.md): $PIPELINE_CACHE, else $XDG_CACHE_HOME/pipeline, else ~/.cache/pipeline. It is
/// here because the catalogue is the one assembly both the compiler (assembly cache) and the runtime (stage cache)
/// reference, so the rule is written once.
/// </summary>
public static class CachePaths
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

    /// <summary>One area of the cache: <c>ROOT/stages</c>, <c>ROOT/assemblies</c>, …</summary>
    public static string For(string area) => Path.Combine(Root, area);
}

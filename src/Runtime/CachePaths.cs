namespace Pipeline.Runtime;

/// <summary>Where caches live (contracts.md): $PIPELINE_CACHE, else $XDG_CACHE_HOME/pipeline, else ~/.cache/pipeline.</summary>
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
            if (!string.IsNullOrWhiteSpace(xdg))
            {
                return Path.Combine(Path.GetFullPath(xdg), "pipeline");
            }

            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pipeline");
        }
    }

    public static string For(string area) => Path.Combine(Root, area);
}

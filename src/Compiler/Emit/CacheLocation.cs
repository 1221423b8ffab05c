using Pipeline.Catalog;

namespace Pipeline.Compiler.Emit;

/// <summary>Where a compiled experiment is cached: <c>ROOT/assemblies/KEY</c> under the cache root (<see cref="CachePaths"/>).</summary>
public static class CacheLocation
{
    /// <summary>The folder of one cached assembly; a null <paramref name="root"/> means <see cref="CachePaths.Root"/>.</summary>
    public static string Assembly(string? root, string key) => Path.Combine(root ?? CachePaths.Root, "assemblies", key);
}

using Pipeline.Catalog;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli;

/// <summary>
/// The checks on a folder a command writes its results into (<c>run --out</c>, <c>compile -o</c>), made before
/// anything runs: it has a name, and it lies outside the cache. The cache's folders belong to the cache —
/// <c>pipeline cache gc</c> removes what it finds damaged there — so results written inside it could be lost.
/// </summary>
internal static class OutputFolder
{
    /// <summary>The full path of <paramref name="path"/>, or a coded error that names <paramref name="option"/>.</summary>
    public static string Require(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option} needs a folder; '{path}' names none.");
        }

        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception error) when (error is ArgumentException or PathTooLongException or NotSupportedException)
        {
            throw new UsageException($"{option} '{path}' is not a usable path ({error.Message.Trim()}).");
        }

        var cache = Path.TrimEndingDirectorySeparator(CachePaths.Root);
        if (IsWithin(full, cache) || IsWithin(Resolved(full), Resolved(cache)))
        {
            throw new PipelineException(
                RuntimeDiagnosticCodes.OutputInsideCache,
                $"{option} '{path}' is inside the cache ({cache}), whose folders the cache manages ('pipeline cache gc' removes what it does not recognise as intact); choose a folder outside it.");
        }

        return full;
    }

    private static bool IsWithin(string path, string folder) =>
        string.Equals(path, folder, StringComparison.Ordinal) || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with the symbolic links of its longest existing prefix followed, so a link into the cache is seen.</summary>
    private static string Resolved(string path)
    {
        var existing = path;
        var rest = new Stack<string>();
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }

        try
        {
            var real = new DirectoryInfo(existing).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? existing;
            return Path.Combine([real, .. rest]);
        }
        catch (IOException)
        {
            return path;
        }
    }
}

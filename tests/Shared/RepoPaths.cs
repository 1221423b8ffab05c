namespace Pipeline.Tests.Shared;

/// <summary>Paths every test needs: the repository root (found by walking up to Pipeline.sln) and the examples.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Pipeline.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Pipeline.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>VideoAlign's own example data (MIT, copied into examples/ so a clone needs nothing beside it).</summary>
    public static string VideoAlignExample => Path.Combine(Examples, "videoalign-example");
}

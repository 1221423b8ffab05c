namespace Pipeline.LanguageServer.Workspace;

/// <summary>Document URIs and the file paths the compiler reads.</summary>
internal static class DocumentPaths
{
    /// <summary>The local path of a <c>file:</c> URI (normalised); any other URI (<c>untitled:</c>) stands for itself.</summary>
    public static string PathOf(string uri)
    {
        if (System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile)
        {
            return System.IO.Path.GetFullPath(parsed.LocalPath);
        }

        return uri;
    }

    /// <summary>The <c>file:</c> URI of a path, as VS Code writes it.</summary>
    public static string UriOf(string path) => path.Contains(':', StringComparison.Ordinal) && !System.IO.Path.IsPathRooted(path)
        ? path
        : new System.Uri(System.IO.Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>Two paths name the same file (after normalisation).</summary>
    public static bool Same(string a, string b) => string.Equals(Normalise(a), Normalise(b), StringComparison.Ordinal);

    public static string Normalise(string path) => System.IO.Path.IsPathRooted(path) ? System.IO.Path.GetFullPath(path) : path;
}

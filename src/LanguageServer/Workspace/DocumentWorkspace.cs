using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Text;

namespace Pipeline.LanguageServer.Workspace;

/// <summary>
/// The documents the editor has open and the folders of the workspace. The compiler reads a file through
/// <see cref="Read"/>: an open document's text (what the user sees, saved or not), else the file on disk.
/// </summary>
internal sealed class DocumentWorkspace
{
    /// <summary>How many experiment files a search for extending files reads at most, so a huge folder cannot stall the server.</summary>
    public const int MaxScannedFiles = 2000;

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { ".git", "bin", "obj", "node_modules", "runs", "out" };

    private readonly Dictionary<string, OpenDocument> byUri = new(StringComparer.Ordinal);
    private readonly List<string> roots = [];

    public IEnumerable<OpenDocument> Documents => byUri.Values;

    public void AddRoot(string folder)
    {
        if (Directory.Exists(folder))
        {
            roots.Add(Path.GetFullPath(folder));
        }
    }

    public OpenDocument? Find(string uri) => byUri.GetValueOrDefault(uri);

    public OpenDocument? FindByPath(string path) => byUri.Values.FirstOrDefault(d => DocumentPaths.Same(d.Path, path));

    public void Set(OpenDocument document) => byUri[document.Uri] = document;

    public void Remove(string uri) => byUri.Remove(uri);

    /// <summary>An open document's text, else the file on disk (null when neither exists).</summary>
    public string? Read(string path) => FindByPath(path)?.Text ?? Composition.ReadFileOrNull(path);

    /// <summary>
    /// Every experiment file that extends <paramref name="path"/>, directly or through others: open documents and
    /// the <c>.pipe</c> files under the workspace folders (or, without any, under the file's own folder).
    /// </summary>
    public IReadOnlyList<string> Extenders(string path)
    {
        var candidates = CandidateFiles(path);
        var baseOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in candidates)
        {
            var text = Read(file);
            if (text is null || !text.Contains("extends", StringComparison.Ordinal))
            {
                continue;
            }

            var extends = SyntaxTree.Parse(new SourceText(file, text)).Root.Experiment.Extends;
            if (extends is not null)
            {
                baseOf[file] = DocumentPaths.Normalise(Composition.BasePath(file, extends.Path.Value));
            }
        }

        var found = new List<string>();
        var frontier = new Queue<string>([DocumentPaths.Normalise(path)]);
        while (frontier.Count > 0)
        {
            var current = frontier.Dequeue();
            foreach (var (file, basePath) in baseOf)
            {
                if (basePath == current && !found.Contains(file) && !DocumentPaths.Same(file, path))
                {
                    found.Add(file);
                    frontier.Enqueue(file);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private List<string> CandidateFiles(string path)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var document in byUri.Values)
        {
            files.Add(DocumentPaths.Normalise(document.Path));
        }

        var folders = roots.Count > 0 ? roots : Path.IsPathRooted(path) ? [Path.GetDirectoryName(Path.GetFullPath(path))!] : [];
        var scanned = 0;
        foreach (var folder in folders)
        {
            foreach (var file in Enumerate(folder))
            {
                if (++scanned > MaxScannedFiles)
                {
                    return files.ToList();
                }

                files.Add(file);
            }
        }

        return files.ToList();
    }

    private static IEnumerable<string> Enumerate(string folder)
    {
        var pending = new Stack<string>([folder]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            string[] files;
            string[] folders;
            try
            {
                files = Directory.GetFiles(current, "*.pipe");
                folders = Directory.GetDirectories(current);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                yield return file;
            }

            foreach (var sub in folders.Where(f => !SkippedFolders.Contains(Path.GetFileName(f)) && !new DirectoryInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint)))
            {
                pending.Push(sub);
            }
        }
    }
}

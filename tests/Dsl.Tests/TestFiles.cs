using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary>Where the test data lives: the repository's examples and this project's corpus, baselines and invalid files.</summary>
internal static class TestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ProjectDirectory => Path.Combine(RepositoryRoot, "tests", "Dsl.Tests");

    public static string CorpusDirectory => Path.Combine(ProjectDirectory, "Corpus");

    public static string InvalidDirectory => Path.Combine(ProjectDirectory, "Invalid");

    public static string BaselineDirectory => Path.Combine(ProjectDirectory, "Baselines");

    public static string ExamplesDirectory => Path.Combine(RepositoryRoot, "examples");

    /// <summary>Every example and corpus file, relative to the repository root (xunit shows these as case names).</summary>
    public static IEnumerable<string> ValidFiles()
    {
        var examples = Directory.Exists(ExamplesDirectory) ? Directory.GetFiles(ExamplesDirectory, "*.pipe") : [];
        return examples.Concat(Directory.GetFiles(CorpusDirectory, "*.pipe"))
            .Select(p => Path.GetRelativePath(RepositoryRoot, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    public static TheoryData<string> ValidFileData() => new(ValidFiles());

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(RepositoryRoot, relativePath)).ReplaceLineEndings("\n");

    public static SyntaxTree Parse(string relativePath) => SyntaxTree.Parse(new SourceText(relativePath, Read(relativePath)));

    public static SyntaxTree ParseText(string text, string path = "test.pipe") => SyntaxTree.Parse(new SourceText(path, text));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }
}

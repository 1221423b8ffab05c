using Pipeline.Dsl.Formatting;

namespace Pipeline.Dsl.Tests;

/// <summary>Per example and corpus file: its diagnostics written inline, and its formatted text.</summary>
public sealed class BaselineTests
{
    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Diagnostics_match_the_baseline(string path)
    {
        var tree = TestFiles.Parse(path);
        Baseline.Check(BaselineName(path, ".diagnostics.txt"), Baseline.WithInlineDiagnostics(tree.Source, tree.Diagnostics));
    }

    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Formatted_text_matches_the_baseline(string path)
    {
        var tree = TestFiles.Parse(path);
        Baseline.Check(BaselineName(path, ".formatted.pipe"), SyntaxFormatter.Format(tree.Root));
    }

    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Examples_are_already_canonical(string path)
    {
        if (!path.StartsWith("examples/", StringComparison.Ordinal))
        {
            // Corpus files are deliberately written in every layout; only examples must be canonical.
            Assert.StartsWith("tests/Dsl.Tests/Corpus/", path);
            return;
        }

        Assert.Equal(TestFiles.Read(path), SyntaxFormatter.Format(TestFiles.Parse(path).Root));
    }

    private static string BaselineName(string path, string suffix)
    {
        var folder = path.StartsWith("examples/", StringComparison.Ordinal) ? "examples" : "corpus";
        return Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + suffix);
    }
}

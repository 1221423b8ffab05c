using System.Text.RegularExpressions;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary>
/// tests/Dsl.Tests/Invalid: each file states its expected diagnostics in its own first lines as
/// <c>// expect: LINE:COLUMN CODE</c>, written by hand (not generated), so they cannot drift with the code.
/// </summary>
public sealed partial class InvalidFiles
{
    public static TheoryData<string> Data() => new(Directory.GetFiles(TestFiles.InvalidDirectory, "*.pipe")
        .Select(p => Path.GetRelativePath(TestFiles.RepositoryRoot, p).Replace('\\', '/'))
        .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Data))]
    public void Each_invalid_file_gets_exactly_its_expected_diagnostics(string path)
    {
        var text = TestFiles.Read(path);
        var expected = ExpectLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(expected);
        var tree = TestFiles.Parse(path);
        var actual = tree.Diagnostics.Select(d => Where(tree.Source, d.Span.Start) + " " + d.Code).ToList();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Data))]
    public void Invalid_file_messages_match_the_baseline(string path)
    {
        var tree = TestFiles.Parse(path);
        Baseline.Check(Path.Combine("invalid", Path.GetFileNameWithoutExtension(path) + ".diagnostics.txt"), Baseline.WithInlineDiagnostics(tree.Source, tree.Diagnostics));
    }

    [Fact]
    public void Three_unrelated_mistakes_give_three_diagnostics_in_one_run()
    {
        var tree = TestFiles.Parse("tests/Dsl.Tests/Invalid/three-unrelated-mistakes.pipe");
        Assert.Equal(3, tree.Diagnostics.Length);
        // The rest of the file still parses: the partial tree keeps every member that has no mistake.
        var members = tree.Root.Experiment.Members.Select(m => m switch
        {
            Syntax.StageSyntax s => s.Name.Name,
            Syntax.PropertySyntax p => p.Name.Name,
            _ => "?",
        });
        Assert.Equal(["seed", "world", "dpo", "rwr"], members);
    }

    private static string Where(SourceText source, int offset)
    {
        var (line, column) = source.GetLineColumn(offset);
        return $"{line}:{column}";
    }

    [GeneratedRegex(@"^// expect: (\d+:\d+ PIPE\d{4})$", RegexOptions.Multiline)]
    private static partial Regex ExpectLine();
}

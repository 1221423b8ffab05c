using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Tests;

public sealed class FormatterTests
{
    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Formatting_is_idempotent(string path)
    {
        var once = SyntaxFormatter.Format(TestFiles.Parse(path).Root);
        var twice = SyntaxFormatter.Format(TestFiles.ParseText(once).Root);
        Assert.Equal(once, twice);
    }

    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Formatted_text_parses_to_the_same_tree(string path)
    {
        var original = TestFiles.Parse(path);
        var formatted = TestFiles.ParseText(SyntaxFormatter.Format(original.Root));
        Assert.Empty(formatted.Diagnostics);
        Assert.True(SyntaxEquivalence.AreEquivalent(original.Root, formatted.Root));
    }

    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Formatting_keeps_every_comment(string path)
    {
        var original = TestFiles.Parse(path);
        var formatted = TestFiles.ParseText(SyntaxFormatter.Format(original.Root));
        Assert.Equal(
            SpanTests.AllComments(original.Root).Select(c => c.Text.TrimEnd()),
            SpanTests.AllComments(formatted.Root).Select(c => c.Text));
    }

    [Fact]
    public void Long_lists_and_maps_break_one_item_per_line()
    {
        var items = string.Join(", ", Enumerable.Range(0, 40).Select(i => "item_" + i));
        var tree = TestFiles.ParseText($"experiment e {{\n  data d = k {{ xs = [{items}], m = {{ a: 1 }} }}\n}}\n");
        var formatted = SyntaxFormatter.Format(tree.Root);
        Assert.Contains("    xs = [\n      item_0,\n      item_1,\n", formatted);
        Assert.Contains("      item_39,\n    ]\n", formatted);
        Assert.Contains("    m = { a: 1 }\n", formatted);
    }

    [Fact]
    public void Equivalence_sees_a_changed_value_and_ignores_layout_and_comments()
    {
        var a = TestFiles.ParseText("experiment e {\n  seed = 7 // c\n}\n").Root;
        var b = TestFiles.ParseText("experiment e { seed = 7 }").Root;
        var c = TestFiles.ParseText("experiment e { seed = 8 }").Root;
        Assert.True(SyntaxEquivalence.AreEquivalent(a, b));
        Assert.False(SyntaxEquivalence.AreEquivalent(a, b, compareTrivia: true));
        Assert.False(SyntaxEquivalence.AreEquivalent(a, b, compareSpans: true));
        Assert.False(SyntaxEquivalence.AreEquivalent(b, c));
    }

    [Fact]
    public void Strings_are_re_escaped_to_the_same_value()
    {
        var tree = TestFiles.ParseText("experiment e {\n  s = \"a\\\"b\\\\c\\nd\\te\\u0001\"\n}\n");
        Assert.Empty(tree.Diagnostics);
        var formatted = SyntaxFormatter.Format(tree.Root);
        Assert.Contains("s = \"a\\\"b\\\\c\\nd\\te\\u0001\"", formatted);
        var reparsed = TestFiles.ParseText(formatted);
        Assert.Equal("a\"b\\c\nd\te\u0001", ((StringLiteralSyntax)((PropertySyntax)reparsed.Root.Experiment.Members[0]).Value).Value);
    }
}

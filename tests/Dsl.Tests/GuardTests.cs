using System.Text;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary>Hostile input gets a diagnostic before the recursive parser sees it, and never overflows the stack.</summary>
public sealed class GuardTests
{
    [Theory]
    [InlineData('[')]
    [InlineData('{')]
    [InlineData('(')]
    public void Ten_thousand_nested_brackets_get_a_depth_diagnostic(char open)
    {
        var text = "experiment e {\n  x = " + new string(open, 10_000) + "\n}\n";
        var tree = TestFiles.ParseText(text);
        var diagnostic = Assert.Single(tree.Diagnostics);
        Assert.Equal(DiagnosticBuilder.NestingTooDeepCode, diagnostic.Code);
        // "  x = " is six columns; the experiment brace is level 1, so bracket number MaxDepth is the first too deep.
        Assert.Equal((2, 6 + StructureScanner.MaxDepth), tree.Source.GetLineColumn(diagnostic.Span.Start));
    }

    [Fact]
    public void Nesting_up_to_the_limit_parses()
    {
        var depth = StructureScanner.MaxDepth - 1; // the experiment's own brace is one level
        var text = "experiment e {\n  x = " + new string('[', depth) + "1" + new string(']', depth) + "\n}\n";
        var tree = TestFiles.ParseText(text);
        Assert.Empty(tree.Diagnostics);
    }

    [Fact]
    public void Deep_nesting_just_over_the_limit_inside_a_broken_file_is_refused()
    {
        var text = "experiment e {\n  x = " + string.Concat(Enumerable.Repeat("{a:", 200)) + "\n";
        var tree = TestFiles.ParseText(text);
        Assert.Contains(tree.Diagnostics, d => d.Code == DiagnosticBuilder.NestingTooDeepCode);
    }

    [Fact]
    public void A_ten_megabyte_line_gets_a_size_diagnostic()
    {
        var text = "experiment e {\n  x = \"" + new string('a', 10 * 1024 * 1024) + "\"\n}\n";
        var tree = TestFiles.ParseText(text);
        Assert.Equal(DiagnosticBuilder.FileTooLargeCode, Assert.Single(tree.Diagnostics).Code);
    }

    [Fact]
    public void A_long_line_in_a_small_file_gets_a_line_diagnostic()
    {
        var text = "experiment e {\n  x = \"" + new string('a', SourceGuard.MaxLineLength + 10) + "\"\n}\n";
        var tree = TestFiles.ParseText(text);
        var diagnostic = Assert.Single(tree.Diagnostics);
        Assert.Equal(DiagnosticBuilder.LineTooLongCode, diagnostic.Code);
        Assert.Equal(2, tree.Source.GetLineColumn(diagnostic.Span.Start).Line);
    }

    [Fact]
    public void A_nul_byte_gets_a_diagnostic_at_its_position()
    {
        var tree = TestFiles.ParseText("experiment e {\n  seed = 7\0\n}\n");
        var diagnostic = Assert.Single(tree.Diagnostics);
        Assert.Equal(DiagnosticBuilder.NulCharacterCode, diagnostic.Code);
        Assert.Equal((2, 11), tree.Source.GetLineColumn(diagnostic.Span.Start));
    }

    [Fact]
    public void Binary_garbage_gets_one_diagnostic_and_no_exception()
    {
        var random = new Random(3);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        var text = new UTF8Encoding(false, false).GetString(bytes);
        var tree = TestFiles.ParseText(text);
        Assert.Single(tree.Diagnostics);
        Assert.NotNull(tree.Root);
    }

    [Theory]
    [InlineData("experiment e {\n  x = \"\uFFFD\"\n}\n", DiagnosticBuilder.InvalidTextCode)]
    [InlineData("experiment e {\n  x = \"\uD800\"\n}\n", DiagnosticBuilder.InvalidTextCode)]
    [InlineData("experiment e {\n  x = \u0007\n}\n", DiagnosticBuilder.ControlCharacterCode)]
    public void Invalid_text_gets_a_diagnostic(string text, string code)
    {
        var tree = TestFiles.ParseText(text);
        Assert.Equal(code, Assert.Single(tree.Diagnostics).Code);
    }

    [Fact]
    public void Paired_surrogates_and_non_ascii_text_in_strings_are_fine()
    {
        var tree = TestFiles.ParseText("experiment e {\n  x = \"caf\u00e9 \U0001F600\"\n}\n");
        Assert.Empty(tree.Diagnostics);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("// only a comment\n")]
    [InlineData("experiment")]
    [InlineData("experiment e")]
    [InlineData("experiment e {")]
    [InlineData("}")]
    [InlineData("\"")]
    [InlineData("experiment e { x = \"\\")]
    public void Degenerate_files_get_diagnostics_not_exceptions(string text)
    {
        var tree = TestFiles.ParseText(text);
        Assert.NotEmpty(tree.Diagnostics);
        Assert.All(tree.Diagnostics, d => Assert.Equal("test.pipe", d.Path));
        Assert.Empty(SpanTests.SpanProblems(tree.Root, text.Length));
    }

    [Fact]
    public void Crlf_line_endings_parse_and_keep_positions()
    {
        var tree = TestFiles.ParseText("experiment e {\r\n  seed = 7  // c\r\n  x =\r\n}\r\n");
        var diagnostic = Assert.Single(tree.Diagnostics);
        Assert.Equal((3, 6), tree.Source.GetLineColumn(diagnostic.Span.Start));
        Assert.Equal("// c", tree.Root.Experiment.Members[0].TrailingComment?.Text);
    }
}

/// <summary>Large inputs near the size limit, valid and broken, go through every phase in linear time.</summary>
public sealed class LargeInputTests
{
    [Fact]
    public void A_file_near_the_size_limit_with_thousands_of_stages_and_comments_parses_formats_and_composes()
    {
        var builder = new StringBuilder("experiment big {\n");
        for (var i = 0; builder.Length < SourceGuard.MaxFileLength - 200; i++)
        {
            builder.Append($"  // stage {i}\n  align s{i} = flow_dpo {{ beta = {i}, lr = 1e-5 }}  // trailing {i}\n");
        }

        builder.Append("}\n");
        var text = builder.ToString();
        var tree = TestFiles.ParseText(text);
        Assert.Empty(tree.Diagnostics);
        Assert.True(tree.Root.Experiment.Members.Length > 10_000);
        var formatted = Formatting.SyntaxFormatter.Format(tree.Root);
        Assert.Contains("  // stage 0\n  align s0 = flow_dpo {\n    beta = 0\n", formatted);
        var resolved = Semantics.Composition.Resolve("big.pipe", p => p == "big.pipe" ? text : null);
        Assert.Empty(resolved.Diagnostics);
        Assert.Empty(Semantics.SemanticDiff.Compare(tree.Root.Experiment, resolved.Experiment));
    }

    [Fact]
    public void A_file_of_thousands_of_mistakes_reports_a_bounded_number()
    {
        var builder = new StringBuilder("experiment broken {\n");
        while (builder.Length < SourceGuard.MaxFileLength - 100)
        {
            builder.Append("  x = = }\n  ) y\n");
        }

        var tree = TestFiles.ParseText(builder.ToString());
        Assert.InRange(tree.Diagnostics.Length, 1, 2 * Recovery.MaxErrors + 10);
    }
}

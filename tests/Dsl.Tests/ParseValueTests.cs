using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary><see cref="SyntaxTree.ParseValue"/>: one value in the language's syntax, as <c>--set PATH=VALUE</c> gives it.</summary>
public sealed class ParseValueTests
{
    [Theory]
    [InlineData("2000", typeof(IntegerLiteralSyntax))]
    [InlineData("5e-6", typeof(RealLiteralSyntax))]
    [InlineData("true", typeof(BooleanLiteralSyntax))]
    [InlineData("\"a b\"", typeof(StringLiteralSyntax))]
    [InlineData("prefs.train", typeof(ReferenceSyntax))]
    [InlineData("[1, 2]", typeof(ListSyntax))]
    [InlineData("{ train: 0.9 }", typeof(MapSyntax))]
    [InlineData("timestep(500)", typeof(CallSyntax))]
    [InlineData("latent_reward { noisy = true }", typeof(InlineStageSyntax))]
    [InlineData("sweep [1, 2]", typeof(SweepSyntax))]
    public void Every_kind_of_value_parses(string text, Type expected)
    {
        var (value, diagnostics) = SyntaxTree.ParseValue(new SourceText("<command line>", text));
        Assert.Empty(diagnostics);
        Assert.IsType(expected, value);
        Assert.Equal(text, SyntaxFormatter.FormatValueInline(value!));
    }

    [Theory]
    [InlineData("", DiagnosticBuilder.ExpectedValueCode, 1)]
    [InlineData("1 2", DiagnosticBuilder.TextAfterValueCode, 3)]
    [InlineData("[1,", DiagnosticBuilder.UnclosedBracketCode, 1)]
    [InlineData("btt(theta: )", DiagnosticBuilder.ExpectedValueCode, 12)]
    [InlineData("\"a\\q\"", DiagnosticBuilder.InvalidEscapeCode, 3)]
    public void Bad_values_get_a_diagnostic_with_a_column(string text, string code, int column)
    {
        var source = new SourceText("<command line>", text);
        var (value, diagnostics) = SyntaxTree.ParseValue(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(column, source.GetLineColumn(diagnostic.Span.Start).Column);
        if (code != DiagnosticBuilder.InvalidEscapeCode)
        {
            Assert.Null(value);
        }
    }
}

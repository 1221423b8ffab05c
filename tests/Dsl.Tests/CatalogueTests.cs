using System.Reflection;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

public sealed class CatalogueTests
{
    [Fact]
    public void Codes_are_unique_and_in_the_syntax_range()
    {
        var codes = DiagnosticBuilder.AllCodes;
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^PIPE0[0-9]{3}$", code));
        Assert.True(codes.Length >= 20);
    }

    [Fact]
    public void Every_catalogue_method_makes_a_one_sentence_message_with_its_code()
    {
        var methods = typeof(DiagnosticBuilder).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(Diagnostic))
            .ToList();
        Assert.Equal(DiagnosticBuilder.AllCodes.Length - DiagnosticBuilder.RetiredCodes.Length, methods.Count);
        var produced = new HashSet<string>();
        foreach (var method in methods)
        {
            var arguments = method.GetParameters().Select(p => Sample(p.ParameterType)).ToArray();
            var diagnostic = (Diagnostic)method.Invoke(null, arguments)!;
            Assert.Equal(DiagnosticBuilder.AllCodes.Single(c => c == diagnostic.Code), diagnostic.Code);
            Assert.EndsWith(".", diagnostic.Message);
            Assert.True(char.IsUpper(diagnostic.Message[0]), diagnostic.Message);
            Assert.DoesNotContain(". ", diagnostic.Message.TrimEnd('.'));
            Assert.True(produced.Add(diagnostic.Code), $"{diagnostic.Code} is made by two methods");
        }
    }

    [Fact]
    public void Diagnostics_print_as_path_line_column_level_code_message()
    {
        var source = new SourceText("exp/a.pipe", "experiment e {\n  seed =\n}\n");
        var diagnostic = DiagnosticBuilder.ExpectedValue(new TextSpan(23, 0), "the end of the line") with { Path = "exp/a.pipe" };
        Assert.Equal(
            "exp/a.pipe:2:9: error PIPE0022: Write a value (a number, string, true/false, name, list, map, call or inline stage) here instead of the end of the line.",
            DiagnosticFormatter.Format(diagnostic, source));
    }

    private static object Sample(Type type) =>
        type == typeof(TextSpan) ? new TextSpan(0, 1)
        : type == typeof(int) ? 3
        : type == typeof(char) ? '['
        : type == typeof(string) ? "word"
        : type == typeof(IEnumerable<string>) ? new[] { "a.pipe", "b.pipe" }
        : throw new InvalidOperationException($"no sample for {type}");
}

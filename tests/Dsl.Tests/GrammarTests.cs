using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Dsl.Parsing;
using Sprache;

namespace Pipeline.Dsl.Tests;

/// <summary>grammar/pipeline.ebnf is the truth: each production is a rule of the Sprache grammar with the same name.</summary>
public sealed partial class GrammarTests
{
    private static string GrammarPath => Path.Combine(TestFiles.RepositoryRoot, "grammar", "pipeline.ebnf");

    [Fact]
    public void Every_production_has_a_parser_rule_of_the_same_name()
    {
        var productions = Productions();
        Assert.True(productions.Count >= 25, $"only {productions.Count} productions found; is the EBNF readable?");
        var rules = typeof(PipelineGrammar)
            .GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(Parser<>))
            .Select(f => f.Name)
            .ToHashSet(StringComparer.Ordinal);
        var missing = productions.Where(p => !rules.Contains(ToPascalCase(p))).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_production_is_used_by_another_or_is_the_entry_point()
    {
        var text = File.ReadAllText(GrammarPath);
        foreach (var production in Productions().Where(p => p != "compilation_unit"))
        {
            var uses = Regex.Matches(text, $@"\b{production}\b").Count;
            Assert.True(uses >= 2, $"production {production} is defined but never used");
        }
    }

    [Fact]
    public void Mapping_from_production_to_rule_name_is_snake_to_pascal_case()
    {
        Assert.Equal("StageDeclaration", ToPascalCase("stage_declaration"));
        Assert.Equal("Value", ToPascalCase("value"));
    }

    [Fact]
    public void Role_keywords_in_the_grammar_comment_are_the_keyword_constants()
    {
        var text = File.ReadAllText(GrammarPath);
        var line = text.Split('\n').Single(l => l.StartsWith("role ", StringComparison.Ordinal));
        foreach (var role in Syntax.SyntaxKeywords.Roles)
        {
            Assert.Contains(role, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TextMate_grammar_is_valid_json_and_knows_every_role()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestFiles.RepositoryRoot, "grammar", "pipeline.tmLanguage.json")));
        Assert.Equal("source.pipeline", document.RootElement.GetProperty("scopeName").GetString());
        var stage = document.RootElement.GetProperty("repository").GetProperty("stage").GetProperty("match").GetString()!;
        foreach (var role in Syntax.SyntaxKeywords.Roles)
        {
            Assert.Contains(role, stage, StringComparison.Ordinal);
        }

        foreach (var pattern in document.RootElement.EnumerateObject().Concat(document.RootElement.GetProperty("repository").EnumerateObject()))
        {
            CheckRegexes(pattern.Value);
        }
    }

    private static void CheckRegexes(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name is "match" or "begin" or "end")
                {
                    _ = new Regex(property.Value.GetString()!, RegexOptions.Multiline);
                }

                CheckRegexes(property.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CheckRegexes(item);
            }
        }
    }

    private static List<string> Productions() =>
        ProductionLine().Matches(File.ReadAllText(GrammarPath)).Select(m => m.Groups[1].Value).ToList();

    private static string ToPascalCase(string production) =>
        string.Concat(production.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    [GeneratedRegex(@"^([a-z_]+)\s*=", RegexOptions.Multiline)]
    private static partial Regex ProductionLine();
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Catalog;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// The Dsl may not reference the catalogue, so the compiler (which sees both) checks that the parser's role words
/// and the editor grammar's keyword list are the catalogue's.
/// </summary>
public sealed class CatalogueAgreementTests
{
    [Fact]
    public void The_parser_knows_exactly_the_catalogue_roles()
    {
        Assert.Equal(RoleKeywords.ByKeyword.Keys.Order(StringComparer.Ordinal), SyntaxKeywords.Roles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_editor_grammar_highlights_exactly_the_catalogue_roles()
    {
        var grammar = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "grammar", "pipeline.tmLanguage.json"));
        using var json = JsonDocument.Parse(grammar);
        var matches = new List<string>();
        Collect(json.RootElement, matches);
        var roleRule = matches.Single(m => m.Contains("evaluate", StringComparison.Ordinal));
        var words = Regex.Match(roleRule, @"\\b\(([a-z|]+)\)").Groups[1].Value.Split('|');
        Assert.Equal(RoleKeywords.ByKeyword.Keys.Order(StringComparer.Ordinal), words.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_kind_maps_to_a_runtime_class_name_that_is_an_identifier()
    {
        Assert.All(StageCatalog.Kinds, k => Assert.True(Diagnostics.Names.IsSafeIdentifier(Catalog.CatalogNames.PascalCase(k.Name) + "Options")));
        Assert.All(
            StageCatalog.Kinds.SelectMany(k => k.Properties).Select(p => p.Name),
            name => Assert.True(Diagnostics.Names.IsSafeIdentifier(Catalog.CatalogNames.PascalCase(name)), name));
    }

    private static void Collect(JsonElement element, List<string> matches)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "match" or "begin" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        matches.Add(property.Value.GetString()!);
                    }

                    Collect(property.Value, matches);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, matches);
                }

                break;
        }
    }
}

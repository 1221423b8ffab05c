using Pipeline.Catalog;
using Pipeline.Compiler.Documentation;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Tests;

/// <summary>What <c>pipeline kinds</c> and docs/kinds.md say about the catalogue.</summary>
public sealed class CatalogueDocumentationTests
{
    public static TheoryData<string> Kinds() => new(StageCatalog.Kinds.Select(k => k.Name));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_lists_every_property_and_field_with_its_type_and_its_default_or_required(string name)
    {
        var kind = StageCatalog.FindKind(name)!;
        var text = CatalogueText.Describe(kind);
        Assert.StartsWith($"{RoleKeywords.Keyword(kind.Role)} NAME = {name} {{ ... }} produces ", text, StringComparison.Ordinal);
        foreach (var property in kind.Properties)
        {
            var line = text.Split("\nMembers, written ")[0].Split('\n').Single(l => l.StartsWith($"  {property.Name}: ", StringComparison.Ordinal));
            Assert.EndsWith(property.Required ? " (required)" : property.Default is null ? " (optional)" : " = " + CatalogueEntries.DefaultText(property), line, StringComparison.Ordinal);
            Assert.Contains(property.Doc, text, StringComparison.Ordinal);
            foreach (var field in (property.Type as RecordType)?.Fields ?? [])
            {
                Assert.Contains($"\n    {property.Name}.{field.Name}: {field.Type.Describe()}", text, StringComparison.Ordinal);
            }
        }

        var markdown = CatalogueMarkdown.Document();
        Assert.Contains($"\n## {name}\n", markdown, StringComparison.Ordinal);
        Assert.Contains($"| [`{name}`](#{name}) |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kind_says_what_the_compiler_checks_of_it()
    {
        var markdown = CatalogueMarkdown.Document();
        var nrg = StageCatalog.FindKind("flow_nrg")!;
        Assert.Contains("\nThe compiler checks that:\n  the latent reward in reward is noise-aware, unless ablation = true (a warning then)\n  the dimensions of weights are among those of reward\n", CatalogueText.Describe(nrg), StringComparison.Ordinal);
        Assert.Contains("\nThe compiler checks that the latent reward in reward is noise-aware, unless ablation = true (a warning then); that the dimensions of weights are among those of reward.\n", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("checks", CatalogueText.Describe(StageCatalog.FindKind("classifier_free")!), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_written_in_the_value_syntax_of_the_language()
    {
        var properties = StageCatalog.Kinds.SelectMany(k => k.Properties).Concat(StageCatalog.ExperimentProperties)
            .SelectMany(p => p.Type is RecordType record ? record.Fields.Prepend(p) : [p]);
        foreach (var property in properties.Where(p => CatalogueEntries.DefaultText(p) is not null))
        {
            var text = CatalogueEntries.DefaultText(property)!;
            var (value, diagnostics) = SyntaxTree.ParseValue(new SourceText("default", text));
            Assert.True(value is not null && diagnostics.IsEmpty, $"{property.Name}'s default {text} does not parse: {string.Join("; ", diagnostics)}");
        }

        // Hand-written: how a reader sees a few defaults of different types.
        Assert.Equal("[16, 16]", CatalogueEntries.DefaultText(StageCatalog.FindKind("synthetic_videos")!.FindProperty("resolution")!));
        Assert.Equal("btt(theta: 5.0)", CatalogueEntries.DefaultText(StageCatalog.FindKind("video_reward")!.FindProperty("loss")!));
        Assert.Equal("keep", CatalogueEntries.DefaultText(StageCatalog.FindKind("preference_pairs")!.FindProperty("ties")!));
        Assert.Equal("0.001", CatalogueEntries.DefaultText(StageCatalog.FindKind("autoencoder")!.FindProperty("lr")!));
        Assert.Null(CatalogueEntries.DefaultText(StageCatalog.FindKind("flow_dpo")!.FindProperty("policy")!));
    }

    [Fact]
    public void The_summary_lists_every_kind_with_its_role_and_the_experiment_properties()
    {
        var summary = CatalogueText.Summary();
        foreach (var kind in StageCatalog.Kinds)
        {
            Assert.Matches($@"\n  {RoleKeywords.Keyword(kind.Role)} +{kind.Name} +{kind.Produces} +", summary);
        }

        Assert.Contains("\n  device: auto | cpu | cuda | \"cuda:N\" = auto\n", summary, StringComparison.Ordinal);
        Assert.Contains("\n  seed: integer in [0, 2147483647] = 0\n", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_cell_escapes_the_bar_of_a_type()
    {
        Assert.Contains("| `ties` | `keep \\| drop` | `keep` |", CatalogueMarkdown.Document(), StringComparison.Ordinal);
    }
}

using Pipeline.Catalog;

namespace Pipeline.Catalog.Tests;

public sealed class CatalogConsistencyTests
{
    [Fact]
    public void Kind_names_are_unique_snake_case_words()
    {
        var names = StageCatalog.Kinds.Select(k => k.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.Matches("^[a-z][a-z0-9_]*$", n));
    }

    [Fact]
    public void Every_kind_of_the_language_design_is_in_the_catalogue()
    {
        var expected = new[]
        {
            "synthetic_videos", "preference_pairs", "autoencoder", "flow_generator", "video_reward", "latent_reward",
            "flow_dpo", "flow_rwr", "flow_sft", "flow_nrg", "win_rates",
            "classifier_free", // beyond the design: the guidance-scale control for the aligners (docs/alignment.md)
            "pairs_filter", // beyond the design: the pairs whose labels meet a condition (issue 21, the first kind added in one folder)
        };
        Assert.Equal(expected.Order(StringComparer.Ordinal), StageCatalog.Kinds.Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_kind_names_the_paper_section_it_implements()
    {
        Assert.All(StageCatalog.Kinds, k => Assert.False(string.IsNullOrWhiteSpace(PaperSections.For(k.Name)), $"{k.Name} has no paper section"));
        Assert.Null(PaperSections.For("no_such_kind"));
    }

    [Fact]
    public void Every_property_has_documentation_and_required_properties_have_no_default()
    {
        foreach (var (owner, property) in AllProperties())
        {
            Assert.False(string.IsNullOrWhiteSpace(property.Doc), $"{owner}.{property.Name} has no documentation");
            if (property.Required)
            {
                Assert.Null(property.Default);
            }
        }
    }

    [Fact]
    public void Every_default_lies_in_its_property_type()
    {
        foreach (var (owner, property) in AllProperties().Where(p => p.Property.Default is not null))
        {
            Assert.True(Fits(property.Type, property.Default!), $"{owner}.{property.Name}: default {property.Default} is not a {property.Type.Describe()}");
        }
    }

    [Fact]
    public void Members_belong_to_artifacts_that_some_kind_produces_or_that_a_member_gives()
    {
        var reachable = StageCatalog.Kinds.Select(k => k.Produces).Concat(StageCatalog.Members.Select(m => m.Result)).ToHashSet();
        Assert.All(StageCatalog.Members, m => Assert.Contains(m.Owner, reachable));
        var pairs = StageCatalog.Members.Select(m => (m.Owner, m.Name)).ToArray();
        Assert.Equal(pairs.Length, pairs.Distinct().Count());
    }

    [Fact]
    public void Role_keywords_cover_every_role_once()
    {
        Assert.Equal(Enum.GetValues<StageRole>().Length, RoleKeywords.ByKeyword.Count);
        Assert.Equal("guide", RoleKeywords.Keyword(StageRole.Guide));
    }

    private static IEnumerable<(string Owner, PropertyDefinition Property)> AllProperties()
    {
        IEnumerable<(string, PropertyDefinition)> Walk(string owner, IEnumerable<PropertyDefinition> properties)
        {
            foreach (var property in properties)
            {
                yield return (owner, property);
                var nested = property.Type switch
                {
                    RecordType record => record.Fields,
                    VariantType variant => variant.Cases.SelectMany(c => c.Parameters),
                    _ => Enumerable.Empty<PropertyDefinition>(),
                };
                foreach (var inner in Walk(owner + "." + property.Name, nested))
                {
                    yield return inner;
                }
            }
        }

        return StageCatalog.Kinds.SelectMany(k => Walk(k.Name, k.Properties))
            .Concat(Walk("experiment", StageCatalog.ExperimentProperties))
            .Concat(StageCatalog.Members.SelectMany(m => Walk(m.Owner + "." + m.Name, m.Parameters)));
    }

    // An independent reading of the type rules, so a wrong default in the catalogue cannot hide behind the checker.
    private static bool Fits(PropertyType type, object value) => type switch
    {
        IntegerType i => value is long l && l >= i.Min && l <= i.Max,
        RealType r => value is double d && r.Contains(d),
        BooleanType => value is bool,
        StringType or PathType => value is string,
        EnumType e => value is string s && e.Values.Contains(s),
        ListType list => value is IReadOnlyList<object> items && items.Count >= list.MinCount && items.Count <= list.MaxCount
            && items.All(item => Fits(list.Element, item)) && (!list.Unique || items.Distinct().Count() == items.Count),
        RecordType record => value is IReadOnlyDictionary<string, object> map && map.All(p => record.Fields.Any(f => f.Name == p.Key && Fits(f.Type, p.Value))),
        DictionaryType dictionary => value is IReadOnlyDictionary<string, object> map && map.All(p => dictionary.Keys.Values.Contains(p.Key) && Fits(dictionary.Value, p.Value)),
        VariantType variant => value is VariantValue v && variant.Cases.Any(c => c.Name == v.Case
            && (c.Name is null ? v.Plain is { } plain && Fits(c.PlainValue!, plain) : v.Arguments.All(a => c.Parameters.Any(p => p.Name == a.Key && Fits(p.Type, a.Value))))),
        UnionType union => union.Alternatives.Any(a => Fits(a, value)),
        _ => false,
    };
}

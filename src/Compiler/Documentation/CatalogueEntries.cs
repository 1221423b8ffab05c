using Pipeline.Catalog;
using Pipeline.Compiler.Binding;
using Pipeline.Compiler.Lowering;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Documentation;

/// <summary>
/// One property as a reader sees it: a stage property, an experiment property or a field of a map-valued property
/// (named <c>split.train</c>), with its type and range, its default in the language's canonical syntax (as fmt and
/// diff print values; null when <see cref="Required"/> or when the property has none), and its documentation.
/// </summary>
public sealed record CatalogueEntry(string Name, string Type, string? Default, bool Required, string Doc, bool IsField);

/// <summary>
/// The catalogue (src/Catalog) as a reader sees it, the one source of <c>pipeline kinds</c> and docs/kinds.md:
/// kinds in the catalogue's order, each property followed by the fields of a map-valued one, and the members of what
/// a kind produces.
/// </summary>
public static class CatalogueEntries
{
    /// <summary>The properties of a kind (or the experiment's), each map-valued one followed by its fields.</summary>
    public static IReadOnlyList<CatalogueEntry> Properties(IEnumerable<PropertyDefinition> properties)
    {
        var entries = new List<CatalogueEntry>();
        foreach (var property in properties)
        {
            entries.Add(Entry(property.Name, property, isField: false));
            if (property.Type is RecordType record)
            {
                var defaults = property.Default as IReadOnlyDictionary<string, object>;
                entries.AddRange(record.Fields.Select(field => Entry($"{property.Name}.{field.Name}", defaults is not null && defaults.TryGetValue(field.Name, out var value) ? field with { Default = value } : field, isField: true)));
            }
        }

        return entries;
    }

    /// <summary>The members of what a kind produces (<c>world.videos</c>, <c>world.pairs(count: N)</c>), empty for most.</summary>
    public static IReadOnlyList<MemberInfo> Members(StageKind kind) => StageCatalog.Members.Where(m => m.Owner == kind.Produces).ToList();

    /// <summary>A member as written after the stage's name: <c>pairs(count: integer in [1, 10000000])</c>.</summary>
    public static string Signature(MemberInfo member) => !member.IsCall
        ? member.Name
        : $"{member.Name}({string.Join(", ", member.Parameters.Select(p => $"{p.Name}: {p.Type.Describe()}{(DefaultText(p) is { } value ? " = " + value : string.Empty)}"))})";

    /// <summary>The default of a property in canonical syntax (<c>0.9</c>, <c>[16, 16]</c>, <c>btt(theta: 5.0)</c>); null when it has none.</summary>
    public static string? DefaultText(PropertyDefinition property) =>
        property.Required || property.Default is null ? null : CanonicalValue.Format(Binder.FromClr(property.Default, property.Type, new TextSpan(0, 0)));

    private static CatalogueEntry Entry(string name, PropertyDefinition property, bool isField)
    {
        // A map-valued property lists its fields on their own lines; its own type names them only.
        var type = property.Type is RecordType record ? "{ " + string.Join(", ", record.Fields.Select(f => f.Name)) + " }" : property.Type.Describe();

        // What a key left out of a written map means is the catalogue's, as is the default of the whole map.
        var doc = property.Type is DictionaryType map
            ? $"{property.Doc} A key left out is {CanonicalValue.Format(Binder.FromClr(map.Omitted, map.Value, new TextSpan(0, 0)))}."
            : property.Doc;
        return new CatalogueEntry(name, type, DefaultText(property), property.Required, doc, isField);
    }
}

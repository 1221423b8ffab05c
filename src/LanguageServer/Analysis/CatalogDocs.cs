using Pipeline.Catalog;

namespace Pipeline.LanguageServer.Analysis;

/// <summary>The catalogue's documentation as the markdown a hover or a completion item shows; written only here.</summary>
internal static class CatalogDocs
{
    /// <summary>A kind: its role, what it produces, its documentation and the paper section it implements.</summary>
    public static string Kind(StageKind kind) =>
        $"**{kind.Name}** (`{RoleKeywords.Keyword(kind.Role)}` kind, produces {kind.Produces})\n\n{kind.Doc}{Paper(kind)}";

    /// <summary>A property, map field or call parameter: its type and range, its default, its documentation.</summary>
    public static string Property(PropertyDefinition definition, StageKind? owner = null) =>
        $"**{definition.Name}**: {definition.Type.Describe()}\n\n{DefaultLine(definition)}\n\n{definition.Doc}"
        + (owner is null ? string.Empty : $"\n\nProperty of `{owner.Name}`{Paper(owner)}");

    /// <summary>One line: the default, or that the property must be written.</summary>
    public static string DefaultLine(PropertyDefinition definition) => definition switch
    {
        { Required: true } => "Required.",
        { Default: null } => "Optional; absent means not used.",
        _ => $"Default: `{CatalogTypes.ValueText(definition.Default)}`",
    };

    public static string Member(MemberInfo member) =>
        $"**{member.Name}**{Parameters(member.Parameters)} of a {member.Owner}: gives {member.Result}\n\n{member.Doc}";

    /// <summary>A stage of the experiment: its declaration, what it reads, and its kind's documentation.</summary>
    public static string Stage(string name, string role, StageKind? kind, string kindName, IReadOnlyList<string> reads, string? declaredIn)
    {
        var text = $"**{name}**: `{role} {name} = {kindName}`" + (kind is null ? string.Empty : $", produces {kind.Produces}");
        if (declaredIn is not null)
        {
            text += $"\n\nDeclared in `{declaredIn}`.";
        }

        if (reads.Count > 0)
        {
            text += $"\n\nReads {string.Join(", ", reads.Select(r => $"`{r}`"))}.";
        }

        return kind is null ? text : text + $"\n\n{kind.Doc}{Paper(kind)}";
    }

    public static string Role(string role) =>
        $"**{role}**: the role of the kinds {string.Join(", ", StageCatalog.Kinds.Where(k => RoleKeywords.Keyword(k.Role) == role).Select(k => $"`{k.Name}`"))}";

    /// <summary>A key of a dictionary map (a dimension key of <c>weights</c>).</summary>
    public static string Key(string key, PropertyType? type) => type is null ? $"`{key}`" : $"`{key}`: a key of {type.Describe()}";

    public static string Word(string word, PropertyType? type) => type is null ? $"`{word}`" : $"`{word}`: one of {type.Describe()}";

    private static string Parameters(IReadOnlyList<PropertyDefinition> parameters) =>
        parameters.Count == 0 ? string.Empty : "(" + string.Join(", ", parameters.Select(p => $"{p.Name}: {p.Type.Describe()}")) + ")";

    private static string Paper(StageKind kind) => PaperSections.For(kind.Name) is { } section ? $"\n\nPaper: {section}." : string.Empty;
}

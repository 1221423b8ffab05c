using System.Globalization;
using Pipeline.Catalog;

namespace Pipeline.LanguageServer.Analysis;

/// <summary>An item of a <see cref="ReferenceListType"/>: a reference to any of the accepted artifacts.</summary>
internal sealed record ReferenceItemType(IReadOnlyList<ArtifactType> Accepted) : PropertyType
{
    public override string Describe() => $"reference to {string.Join(" or ", Accepted)}";

    /// <summary>The editor never emits values, so an item has no runtime type of its own.</summary>
    public override RuntimeType? RuntimeType => null;
}

/// <summary>Questions the editor asks of the catalogue's property types.</summary>
internal static class CatalogTypes
{
    /// <summary>The type of an item of a list (or of a sweep's point list's owner); null when the type is not a list.</summary>
    public static PropertyType? ElementOf(PropertyType? type) => type switch
    {
        ListType list => list.Element,
        ReferenceListType references => new ReferenceItemType(references.Accepted),
        UnionType union => union.Alternatives.Select(ElementOf).FirstOrDefault(e => e is not null),
        _ => null,
    };

    /// <summary>The type itself, or the first alternative of a union (or the plain case of a variant) that is a <typeparamref name="T"/>.</summary>
    public static T? Find<T>(PropertyType? type)
        where T : PropertyType => type switch
    {
        T found => found,
        UnionType union => union.Alternatives.Select(Find<T>).FirstOrDefault(t => t is not null),
        VariantType variant => variant.Cases.Select(c => Find<T>(c.PlainValue)).FirstOrDefault(t => t is not null),
        _ => null,
    };

    /// <summary>The bare words a value of the type may be: enum values and the variant cases without parameters.</summary>
    public static IReadOnlyList<string> Words(PropertyType? type) => type switch
    {
        EnumType enumeration => enumeration.Values,
        VariantType variant => variant.Cases.Where(c => c.Name is not null && c.Parameters.Count == 0).Select(c => c.Name!)
            .Concat(variant.Cases.SelectMany(c => Words(c.PlainValue))).ToArray(),
        UnionType union => union.Alternatives.SelectMany(Words).ToArray(),
        _ => [],
    };

    /// <summary>The artifacts a reference written where the type is expected may produce; empty where no reference fits.</summary>
    public static IReadOnlyList<ArtifactType> AcceptedArtifacts(PropertyType? type) => type switch
    {
        ReferenceType reference => [reference.Expected],
        ReferenceItemType item => item.Accepted,
        UnionType union => union.Alternatives.SelectMany(AcceptedArtifacts).Distinct().ToArray(),
        _ => [],
    };

    public static bool ExpectsReference(PropertyType? type) => AcceptedArtifacts(type).Count > 0;

    /// <summary>A catalogue default written as the language writes values: <c>500</c>, <c>1e-4</c>, <c>[VQ, MQ, TA]</c>, <c>btt(theta: 5)</c>.</summary>
    public static string ValueText(object? value) => value switch
    {
        null => "(none)",
        bool flag => flag ? "true" : "false",
        long integer => integer.ToString(CultureInfo.InvariantCulture),
        int integer => integer.ToString(CultureInfo.InvariantCulture),
        double real => real.ToString("R", CultureInfo.InvariantCulture),
        string word when IsWord(word) => word,
        string text => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        VariantValue { Case: null } plain => ValueText(plain.Plain),
        VariantValue variant => variant.Arguments.Count == 0
            ? variant.Case!
            : $"{variant.Case}({string.Join(", ", variant.Arguments.Select(a => $"{a.Key}: {ValueText(a.Value)}"))})",
        IReadOnlyDictionary<string, object> map => "{ " + string.Join(", ", map.Select(e => $"{e.Key}: {ValueText(e.Value)}")) + " }",
        IEnumerable<object> list => "[" + string.Join(", ", list.Select(ValueText)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static bool IsWord(string text) =>
        text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] == '_') && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

using Pipeline.Catalog;

namespace Pipeline.Compiler.Diagnostics;

/// <summary>
/// How a catalogue type reads after "write" in a message: "an integer in [1, 767]", "one of keep | drop", "true or
/// false", "a map { train: ..., eval: ... }". <see cref="PropertyType.Describe"/> is the bare form, for listings.
/// </summary>
public static class TypePhrase
{
    public static string WithArticle(PropertyType type) => type switch
    {
        IntegerType => "an " + type.Describe(),
        BooleanType => type.Describe(),
        EnumType or VariantType or UnionType { Summary: not null } => "one of " + type.Describe(),
        UnionType union => string.Join(" or ", union.Alternatives.Select(WithArticle)),
        RecordType or DictionaryType => "a map " + type.Describe(),
        _ => "a " + type.Describe(),
    };
}

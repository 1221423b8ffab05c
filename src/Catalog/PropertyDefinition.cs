namespace Pipeline.Catalog;

/// <summary>
/// One property of a stage kind (or a field of a record value, or a call parameter): its type and range, its
/// default, and one line of documentation. Defaults are written only here; the Runtime's options read them.
/// </summary>
/// <param name="Name">The property as written in experiment files (snake_case).</param>
/// <param name="Type">Its type and allowed range.</param>
/// <param name="Default">
/// The default as a CLR value: long, double, bool, string, <see cref="IReadOnlyList{T}"/> of values,
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> of string to value, or <see cref="VariantValue"/>; null when required or absent.
/// </param>
/// <param name="Doc">One line of documentation.</param>
public sealed record PropertyDefinition(string Name, PropertyType Type, object? Default, string Doc)
{
    /// <summary>True when the property has no default and must be written.</summary>
    public bool Required { get; init; }

    /// <summary>
    /// True for a generator's sampling settings (its guidance scale and Euler steps): read when it samples for
    /// evaluation, never by its training, so they stay out of its stage hash (and its aligners'); the stages that
    /// sample through it (guide and evaluate roles) carry them in theirs (contracts.md, "Hashes and caches").
    /// </summary>
    public bool SamplingSetting { get; init; }

    /// <summary>True for properties that name other stages (inputs), which become stage dependencies rather than options.</summary>
    public bool IsInput => Type is ReferenceType or ReferenceListType;

    public static PropertyDefinition Require(string name, PropertyType type, string doc) => new(name, type, null, doc) { Required = true };

    /// <summary>An optional property with no default value: absent means "not used".</summary>
    public static PropertyDefinition Optional(string name, PropertyType type, string doc) => new(name, type, null, doc);
}

/// <summary>The value of a <see cref="VariantType"/> property: the case's name (null for the plain case) and its arguments.</summary>
public sealed record VariantValue(string? Case, IReadOnlyDictionary<string, object> Arguments);

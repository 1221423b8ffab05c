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

/// <summary>
/// The value of a <see cref="VariantType"/> property: a named case with its arguments (<c>btt(theta: 5.0)</c>), or the
/// plain case's value (<c>500.0</c>; <see cref="Case"/> null).
/// </summary>
public sealed record VariantValue
{
    private VariantValue(string? @case, IReadOnlyDictionary<string, object> arguments, object? plain)
    {
        Case = @case;
        Arguments = arguments;
        Plain = plain;
    }

    /// <summary>The case's word; null for the plain case.</summary>
    public string? Case { get; }

    /// <summary>A named case's arguments by parameter name; empty for the plain case.</summary>
    public IReadOnlyDictionary<string, object> Arguments { get; }

    /// <summary>The plain case's value; null for a named case.</summary>
    public object? Plain { get; }

    public static VariantValue Named(string @case, IReadOnlyDictionary<string, object> arguments) => new(@case, arguments, null);

    public static VariantValue OfPlain(object value) => new(null, new Dictionary<string, object>(StringComparer.Ordinal), value);
}

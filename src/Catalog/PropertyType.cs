namespace Pipeline.Catalog;

/// <summary>The type of a property value, with its allowed range. Checked by the compiler, documented in the catalogue.</summary>
public abstract record PropertyType
{
    /// <summary>How the type reads in documentation and diagnostics, e.g. "integer in [1, 100000]".</summary>
    public abstract string Describe();

    /// <summary>
    /// The type a value of this type has in a stage's options (an integer is an <c>int</c>, <c>beta</c> a
    /// <c>DpoBeta</c>); null for a type that never reaches the runtime's options (the experiment's <c>device</c>).
    /// </summary>
    public abstract RuntimeType? RuntimeType { get; }
}

public sealed record IntegerType(long Min = long.MinValue, long Max = long.MaxValue) : PropertyType
{
    public override string Describe() => Min == long.MinValue && Max == long.MaxValue ? "integer" : $"integer in [{Bound(Min)}, {Bound(Max)}]";

    public override RuntimeType RuntimeType => RuntimeType.Int32;

    private static string Bound(long value) => value switch
    {
        long.MinValue => "-inf",
        long.MaxValue => "inf",
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A real number. Exclusive bounds are written (a, b); inclusive [a, b]; an infinite bound is always open, as no literal reaches it.</summary>
public sealed record RealType(double Min = double.NegativeInfinity, double Max = double.PositiveInfinity, bool MinExclusive = false, bool MaxExclusive = false) : PropertyType
{
    public bool Contains(double value) =>
        (MinExclusive ? value > Min : value >= Min) && (MaxExclusive ? value < Max : value <= Max);

    public override string Describe() =>
        $"number in {(MinExclusive || double.IsInfinity(Min) ? "(" : "[")}{Bound(Min)}, {Bound(Max)}{(MaxExclusive || double.IsInfinity(Max) ? ")" : "]")}";

    public override RuntimeType RuntimeType => RuntimeType.Double;

    private static string Bound(double value) => double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record BooleanType : PropertyType
{
    public override string Describe() => "true or false";

    public override RuntimeType RuntimeType => RuntimeType.Boolean;
}

public sealed record StringType : PropertyType
{
    public override string Describe() => "string";

    public override RuntimeType RuntimeType => RuntimeType.String;
}

/// <summary>A path to a data file, relative to the experiment file; its content is hashed into the stage hash.</summary>
public sealed record PathType(IReadOnlyList<string> Extensions) : PropertyType
{
    public override string Describe() => $"path to a {string.Join(" or ", Extensions)} file";

    public override RuntimeType RuntimeType => RuntimeType.String;
}

/// <summary>One of a fixed set of words, e.g. <c>keep | drop</c>.</summary>
/// <param name="Values">The words.</param>
/// <param name="Runtime">The runtime's enum, whose members are the words in PascalCase (<c>logit_normal</c> → <c>LogitNormal</c>); null where the words stay strings.</param>
public sealed record EnumType(IReadOnlyList<string> Values, RuntimeType? Runtime = null) : PropertyType
{
    public override string Describe() => string.Join(" | ", Values);

    public override RuntimeType RuntimeType => Runtime ?? RuntimeType.String;
}

public sealed record ListType(PropertyType Element, int MinCount = 0, int MaxCount = int.MaxValue, bool Unique = false) : PropertyType
{
    public override string Describe() => MinCount == MaxCount ? $"list of {MinCount} × {Element.Describe()}" : $"list of {Element.Describe()}";

    public override RuntimeType? RuntimeType => Element.RuntimeType is { } element ? RuntimeType.ListOf(element) : null;
}

/// <summary>A map with known keys, each typed: <c>{ train: 0.9, eval: 0.1 }</c>. Keys not listed are errors.</summary>
/// <param name="Fields">The keys, each a property with its type and default.</param>
/// <param name="Runtime">The runtime's class, with one property per field (the field's name in PascalCase).</param>
public sealed record RecordType(IReadOnlyList<PropertyDefinition> Fields, RuntimeType Runtime) : PropertyType
{
    public override string Describe() => "{ " + string.Join(", ", Fields.Select(f => f.Name + ": " + f.Type.Describe())) + " }";

    public override RuntimeType RuntimeType => Runtime;
}

/// <summary>
/// A map whose keys are words of an enum, all with one value type: <c>{ VQ: 0.1, TA: 0.8 }</c>. A key left out has
/// the value <see cref="Omitted"/>: the runtime receives every key.
/// </summary>
public sealed record DictionaryType(EnumType Keys, PropertyType Value, object Omitted) : PropertyType
{
    public override string Describe() => $"{{ ({Keys.Describe()}): {Value.Describe()} }}";

    public override RuntimeType? RuntimeType => Value.RuntimeType is { } value ? RuntimeType.MapOf(value) : null;
}

/// <summary>A reference to a stage or a stage member producing <paramref name="Expected"/>; an inline stage of such a kind is allowed where <see cref="AllowInline"/>.</summary>
public sealed record ReferenceType(ArtifactType Expected, bool AllowInline = false) : PropertyType
{
    /// <summary>Only a stage itself, not a member of one: <c>pairs = prefs</c>, not <c>prefs.train</c> (a filter keeps the stage's split).</summary>
    public bool WholeStage { get; init; }

    /// <summary>The runtime type the property receives, where it is not the one of <see cref="Expected"/> (a whole stage's artifact).</summary>
    public RuntimeType? Runtime { get; init; }

    public override string Describe() => WholeStage ? $"reference to a stage that produces {Expected.WithArticle()}" : $"reference to {Expected.WithArticle()}";

    public override RuntimeType RuntimeType => Runtime ?? ArtifactRuntimeTypes.Of(Expected);
}

/// <summary>A list of references: <c>methods = [base, sft, dpo]</c>; every accepted artifact has one runtime type.</summary>
public sealed record ReferenceListType(IReadOnlyList<ArtifactType> Accepted, int MinCount = 1) : PropertyType
{
    public override string Describe() => $"list of references to {string.Join(" or ", Accepted)}";

    public override RuntimeType RuntimeType => RuntimeType.ListOf(ArtifactRuntimeTypes.Of(Accepted[0]));
}

/// <summary>
/// A choice between named forms, written as a bare word or a call: <c>loss = bt</c>, <c>loss = btt(theta: 5.0)</c>;
/// a case may also be a plain value of <see cref="VariantCase.PlainValue"/> (<c>beta = 500</c> vs <c>beta = timestep(500)</c>).
/// </summary>
/// <param name="Cases">The forms.</param>
/// <param name="Runtime">
/// The runtime's type: a named case is its static member of the case's name in PascalCase (a property for a bare word,
/// <c>RewardLoss.Bt</c>; a method taking the parameters by name for a call, <c>RewardLoss.Btt(theta: 5.0)</c>), and
/// a plain value converts to it implicitly (<c>DpoBeta beta = 500.0</c>).
/// </param>
public sealed record VariantType(IReadOnlyList<VariantCase> Cases, RuntimeType Runtime) : PropertyType
{
    public override string Describe() => string.Join(" | ", Cases.Select(c => c.Describe()));

    public override RuntimeType RuntimeType => Runtime;
}

/// <param name="Name">The case's word, or null for the plain-value case.</param>
/// <param name="Parameters">Call parameters (with defaults); empty for a bare word.</param>
/// <param name="PlainValue">For the unnamed case, the type of the plain value.</param>
public sealed record VariantCase(string? Name, IReadOnlyList<PropertyDefinition> Parameters, PropertyType? PlainValue = null)
{
    public string Describe() => Name is null
        ? PlainValue!.Describe()
        : Parameters.Count == 0 ? Name : $"{Name}({string.Join(", ", Parameters.Select(p => p.Name + ": " + p.Type.Describe()))})";
}

/// <summary>Either of several types, tried in order: <c>source = world.pairs(count: 4096)</c> or <c>source = "pairs.csv"</c>.</summary>
/// <param name="Alternatives">The types tried, in order.</param>
/// <param name="Summary">
/// How the whole union reads where its alternatives alone would not say it (<c>auto | cpu | cuda | "cuda:N"</c>, where
/// the string alternative has a form); null joins the alternatives' descriptions.
/// </param>
/// <param name="Runtime">The runtime's type, to which a value of each alternative converts implicitly; null for a union that never reaches the runtime's options.</param>
public sealed record UnionType(IReadOnlyList<PropertyType> Alternatives, string? Summary = null, RuntimeType? Runtime = null) : PropertyType
{
    public override string Describe() => Summary ?? string.Join(" or ", Alternatives.Select(a => a.Describe()));

    public override RuntimeType? RuntimeType => Runtime;
}

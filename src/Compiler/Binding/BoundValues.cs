using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

// Bound values: a property's value checked against its catalogue type, with every default filled in. Spans point
// into the file (or the --set text) the value came from; a filled-in default carries the span of its owner.

public abstract record BoundValue(TextSpan Span);

public sealed record BoundInteger(TextSpan Span, long Value) : BoundValue(Span);

public sealed record BoundReal(TextSpan Span, double Value) : BoundValue(Span);

public sealed record BoundBoolean(TextSpan Span, bool Value) : BoundValue(Span);

/// <summary>A string, a path (<see cref="IsPath"/>) or an enum word (<see cref="IsWord"/>).</summary>
public sealed record BoundString(TextSpan Span, string Value, bool IsPath = false, bool IsWord = false) : BoundValue(Span);

public sealed record BoundList(TextSpan Span, ImmutableArray<BoundValue> Items) : BoundValue(Span);

/// <summary>A record (<c>{ train: 0.9, eval: 0.1 }</c>) with every field, or a dictionary (weights) with the keys written.</summary>
public sealed record BoundMap(TextSpan Span, ImmutableArray<BoundField> Fields, bool IsRecord) : BoundValue(Span)
{
    public BoundValue? Find(string name) => Fields.FirstOrDefault(f => f.Name == name)?.Value;
}

/// <summary>A variant: a case's word and every argument, defaults filled in; or, with <see cref="Case"/> null, the plain case's value.</summary>
public sealed record BoundVariant(TextSpan Span, string? Case, ImmutableArray<BoundField> Arguments, BoundValue? Plain = null) : BoundValue(Span)
{
    public static BoundVariant OfPlain(BoundValue value) => new(value.Span, null, [], value);
}

/// <summary>A reference to a stage, or to a member of its artifact: <c>prefs.train.relabel(vr)</c>.</summary>
public sealed record BoundReference(TextSpan Span, string Stage, ImmutableArray<BoundStep> Steps, ArtifactType Type) : BoundValue(Span)
{
    public string Dotted => Steps.IsEmpty ? Stage : Stage + "." + string.Join(".", Steps.Select(s => s.Member));
}

public sealed record BoundStep(string Member, ImmutableArray<BoundField> Arguments);

public sealed record BoundReferenceList(TextSpan Span, ImmutableArray<BoundReference> Items) : BoundValue(Span);

public sealed record BoundField(string Name, BoundValue Value);

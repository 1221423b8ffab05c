using System.Collections.Immutable;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Syntax;

// The syntax tree of an experiment file. Every node carries the span of its text. Nodes are immutable records;
// children are ImmutableArray. Compare trees with SyntaxEquivalence, which ignores spans and trivia on request
// (ImmutableArray compares by reference, so record equality alone is not structural).

public abstract record SyntaxNode(TextSpan Span);

/// <summary>A name as written: a stage, property, role, kind, map key or enum word.</summary>
public sealed record IdentifierSyntax(TextSpan Span, string Name) : SyntaxNode(Span);

/// <summary>A comment kept so that the formatter can put it back: <c>// text</c>.</summary>
public sealed record CommentSyntax(TextSpan Span, string Text) : SyntaxNode(Span);

/// <summary>A whole file: one experiment.</summary>
public sealed record CompilationUnitSyntax(TextSpan Span, ExperimentSyntax Experiment, ImmutableArray<CommentSyntax> LeadingComments, ImmutableArray<CommentSyntax> TrailingComments) : SyntaxNode(Span);

/// <summary><c>experiment NAME [extends "base.pipe"] { members }</c></summary>
public sealed record ExperimentSyntax(TextSpan Span, IdentifierSyntax Name, ExtendsClauseSyntax? Extends, ImmutableArray<MemberSyntax> Members) : SyntaxNode(Span)
{
    /// <summary>A comment on the header line, after the opening brace.</summary>
    public CommentSyntax? HeaderComment { get; init; }

    /// <summary>Comments inside the body after the last member, so the formatter keeps them.</summary>
    public ImmutableArray<CommentSyntax> DanglingComments { get; init; } = ImmutableArray<CommentSyntax>.Empty;
}

/// <summary><c>extends "path/to/base.pipe"</c>, the path relative to the extending file.</summary>
public sealed record ExtendsClauseSyntax(TextSpan Span, StringLiteralSyntax Path) : SyntaxNode(Span);

/// <summary>A member of an experiment body: an experiment-level property, a stage, or (in an extending file) an override.</summary>
public abstract record MemberSyntax(TextSpan Span) : SyntaxNode(Span)
{
    /// <summary>Comments on the lines directly above the member.</summary>
    public ImmutableArray<CommentSyntax> LeadingComments { get; init; } = ImmutableArray<CommentSyntax>.Empty;

    /// <summary>A comment after the member on its last line.</summary>
    public CommentSyntax? TrailingComment { get; init; }
}

/// <summary><c>NAME = VALUE</c>, at experiment level (<c>seed = 7</c>) or inside a stage body.</summary>
public sealed record PropertySyntax(TextSpan Span, IdentifierSyntax Name, ValueSyntax Value) : MemberSyntax(Span);

/// <summary><c>STAGE.PROPERTY[.KEY] = VALUE</c> at experiment level: overrides a property of an inherited stage.</summary>
public sealed record OverrideSyntax(TextSpan Span, ImmutableArray<IdentifierSyntax> Target, ValueSyntax Value) : MemberSyntax(Span);

/// <summary>
/// <c>expect LEFT &gt; RIGHT</c> (or <c>&lt;</c>) at experiment level: a result the experiment declares it expects, such
/// as <c>expect dpo.win_rate(oracle).TA &gt; 0.5</c>. LEFT is a metric, RIGHT a metric or a number.
/// </summary>
public sealed record ExpectationSyntax(TextSpan Span, MetricReferenceSyntax Left, ComparisonSyntax Comparison, ExpectationOperandSyntax Right) : MemberSyntax(Span);

/// <summary>The right side of an expectation: a metric or a number.</summary>
public abstract record ExpectationOperandSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>STAGE.METRIC(JUDGE).DIMENSION</c>, e.g. <c>dpo.win_rate(oracle).TA</c>.</summary>
public sealed record MetricReferenceSyntax(TextSpan Span, IdentifierSyntax Stage, IdentifierSyntax Metric, IdentifierSyntax Judge, IdentifierSyntax Dimension) : ExpectationOperandSyntax(Span)
{
    /// <summary>As written, without spaces: <c>dpo.win_rate(oracle).TA</c>.</summary>
    public string Text => $"{Stage.Name}.{Metric.Name}({Judge.Name}).{Dimension.Name}";
}

/// <summary>A number an expectation compares a metric with: an <see cref="IntegerLiteralSyntax"/> or a <see cref="RealLiteralSyntax"/>.</summary>
public sealed record ThresholdSyntax(TextSpan Span, ValueSyntax Literal) : ExpectationOperandSyntax(Span);

/// <summary>The comparison of an expectation: <c>&gt;</c> or <c>&lt;</c>.</summary>
public sealed record ComparisonSyntax(TextSpan Span, string Operator) : SyntaxNode(Span);

/// <summary><c>ROLE NAME = KIND { properties }</c></summary>
public sealed record StageSyntax(TextSpan Span, IdentifierSyntax Role, IdentifierSyntax Name, IdentifierSyntax Kind, ImmutableArray<PropertySyntax> Properties) : MemberSyntax(Span)
{
    /// <summary>Comments inside the body after the last property, so the formatter keeps them.</summary>
    public ImmutableArray<CommentSyntax> DanglingComments { get; init; } = ImmutableArray<CommentSyntax>.Empty;

    /// <summary>A comment on the header line, after the opening brace.</summary>
    public CommentSyntax? HeaderComment { get; init; }
}

public abstract record ValueSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary>An integer such as <c>7</c> or <c>-3</c>; <see cref="Text"/> is the text as written.</summary>
public sealed record IntegerLiteralSyntax(TextSpan Span, long Value, string Text) : ValueSyntax(Span);

/// <summary>A real such as <c>5e-6</c> or <c>0.9</c>; <see cref="Text"/> is the text as written.</summary>
public sealed record RealLiteralSyntax(TextSpan Span, double Value, string Text) : ValueSyntax(Span);

public sealed record BooleanLiteralSyntax(TextSpan Span, bool Value) : ValueSyntax(Span);

/// <summary>A string; <see cref="Value"/> has its escapes resolved.</summary>
public sealed record StringLiteralSyntax(TextSpan Span, string Value) : ValueSyntax(Span);

/// <summary>A name or a dotted path: an enum word (<c>keep</c>), a stage (<c>vr</c>) or a member (<c>prefs.train</c>).</summary>
public sealed record ReferenceSyntax(TextSpan Span, ImmutableArray<IdentifierSyntax> Parts) : ValueSyntax(Span)
{
    public string Dotted => string.Join(".", Parts.Select(p => p.Name));
}

/// <summary><c>[a, b, c]</c></summary>
public sealed record ListSyntax(TextSpan Span, ImmutableArray<ValueSyntax> Items) : ValueSyntax(Span);

/// <summary><c>{ key: value, ... }</c></summary>
public sealed record MapSyntax(TextSpan Span, ImmutableArray<MapEntrySyntax> Entries) : ValueSyntax(Span);

public sealed record MapEntrySyntax(TextSpan Span, IdentifierSyntax Key, ValueSyntax Value) : SyntaxNode(Span);

/// <summary><c>btt(theta: 5.0)</c>, <c>timestep(500)</c>, <c>world.pairs(count: 4096)</c>, <c>prefs.train.relabel(vr)</c>.</summary>
public sealed record CallSyntax(TextSpan Span, ReferenceSyntax Callee, ImmutableArray<ArgumentSyntax> Arguments) : ValueSyntax(Span);

/// <summary>A call argument, named (<c>theta: 5.0</c>) or positional (<c>vr</c>).</summary>
public sealed record ArgumentSyntax(TextSpan Span, IdentifierSyntax? Name, ValueSyntax Value) : SyntaxNode(Span);

/// <summary>A stage written inside another: <c>latent_reward { train = prefs.train }</c>.</summary>
public sealed record InlineStageSyntax(TextSpan Span, IdentifierSyntax Kind, ImmutableArray<PropertySyntax> Properties) : ValueSyntax(Span)
{
    /// <summary>Comments inside the body after the last property, so the formatter keeps them.</summary>
    public ImmutableArray<CommentSyntax> DanglingComments { get; init; } = ImmutableArray<CommentSyntax>.Empty;

    /// <summary>A comment on the line of the opening brace, before the first property.</summary>
    public CommentSyntax? HeaderComment { get; init; }
}

/// <summary><c>sweep [100, 500, 2000]</c>: one run per point.</summary>
public sealed record SweepSyntax(TextSpan Span, ListSyntax Points) : ValueSyntax(Span);

using System.Collections.Immutable;
using Pipeline.Dsl.Syntax;
using Sprache;

namespace Pipeline.Dsl.Parsing;

internal static partial class PipelineGrammar
{
    // The order in which partial parts initialise is unspecified, so lexical rules are reached through Ref here.
    private static readonly Parser<IdentifierSyntax> Name = Ref(() => Identifier);
    private static readonly Parser<RealLiteralSyntax> RealToken = Ref(() => RealLiteral);
    private static readonly Parser<IntegerLiteralSyntax> IntegerToken = Ref(() => IntegerLiteral);
    private static readonly Parser<BooleanLiteralSyntax> BooleanToken = Ref(() => BooleanLiteral);
    private static readonly Parser<StringLiteralSyntax> StringToken = Ref(() => StringLiteral);
    private static readonly Parser<int> ValueStart = Ref(() => TokenStart);
    private static readonly Parser<int> ValueEnd = Ref(() => CurrentPosition);

    /// <summary>Forward reference: lists, maps, calls and inline stages contain values.</summary>
    private static readonly Parser<ValueSyntax> ValueReference = Ref(() => Value);

    // literal = real_literal | integer_literal | boolean_literal | string_literal ;
    internal static readonly Parser<ValueSyntax> Literal =
        RealToken.Select(v => (ValueSyntax)v)
            .Or(IntegerToken)
            .Or(BooleanToken)
            .Or(StringToken)
            .Named("literal");

    // reference = identifier { "." identifier } ;
    internal static readonly Parser<ReferenceSyntax> Reference =
        (from first in Name
         from rest in Symbol('.').Then(_ => Name).Many()
         let parts = rest.Prepend(first).ToImmutableArray()
         select new ReferenceSyntax(Span(first.Span.Start, parts[^1].Span.End), parts))
        .Named("reference");

    // argument = [ identifier ":" ] value ;
    internal static readonly Parser<ArgumentSyntax> Argument =
        from start in ValueStart
        from name in Name.Then(n => Symbol(':').Return(n)).Optional()
        from value in ValueReference
        select new ArgumentSyntax(Span(start, value.Span.End), name.GetOrDefault(), value);

    // argument_list = "(" [ argument { "," argument } [ "," ] ] ")" ;
    internal static readonly Parser<ImmutableArray<ArgumentSyntax>> ArgumentList =
        from open in Symbol('(')
        from arguments in CommaSeparated(Argument)
        from close in Symbol(')')
        select arguments;

    // call = reference argument_list ;
    internal static readonly Parser<CallSyntax> Call =
        from callee in Reference
        from arguments in ArgumentList
        from end in ValueEnd
        select new CallSyntax(Span(callee.Span.Start, end), callee, arguments);

    // list = "[" [ value { "," value } [ "," ] ] "]" ;
    internal static readonly Parser<ListSyntax> List =
        (from open in Symbol('[')
         from items in CommaSeparated(ValueReference)
         from close in Symbol(']')
         select new ListSyntax(Span(open, close + 1), items))
        .Named("list");

    // map_entry = identifier ":" value ;
    internal static readonly Parser<MapEntrySyntax> MapEntry =
        from key in Name
        from colon in Symbol(':')
        from value in ValueReference
        select new MapEntrySyntax(Span(key.Span.Start, value.Span.End), key, value);

    // map = "{" [ map_entry { "," map_entry } [ "," ] ] "}" ;
    internal static readonly Parser<MapSyntax> Map =
        (from open in Symbol('{')
         from entries in CommaSeparated(MapEntry)
         from close in Symbol('}')
         select new MapSyntax(Span(open, close + 1), entries))
        .Named("map");

    // sweep = "sweep" list ;
    internal static readonly Parser<SweepSyntax> Sweep =
        from keyword in Keyword(SyntaxKeywords.Sweep)
        from points in List
        select new SweepSyntax(Span(keyword.Span.Start, points.Span.End), points);

    /// <summary>Forward reference: an inline stage's body holds property assignments, declared with the declarations.</summary>
    private static readonly Parser<(int Open, ImmutableArray<PropertySyntax> Properties, int Close)> StageBodyReference = Ref(() => StageBody);

    // inline_stage = identifier stage_body ;
    internal static readonly Parser<InlineStageSyntax> InlineStage =
        from kind in Name
        from body in StageBodyReference
        select new InlineStageSyntax(Span(kind.Span.Start, body.Close + 1), kind, body.Properties);

    // value = sweep | literal | inline_stage | call | reference | list | map ;
    internal static readonly Parser<ValueSyntax> Value = RecordExpectedValue(
        Sweep.Select(v => (ValueSyntax)v)
            .Or(Literal)
            .Or(InlineStage)
            .Or(Call)
            .Or(Reference)
            .Or(List)
            .Or(Map)
            .Named("value"));

    /// <summary><c>[ item { "," item } [ "," ] ]</c>: comma-separated items with an optional trailing comma.</summary>
    private static Parser<ImmutableArray<T>> CommaSeparated<T>(Parser<T> item) =>
        (from first in item
         from rest in Symbol(',').Then(_ => item).Many()
         from trailing in Symbol(',').Optional()
         select rest.Prepend(first).ToImmutableArray())
        .Optional()
        .Select(items => items.GetOrElse(ImmutableArray<T>.Empty));

    private static Parser<ValueSyntax> RecordExpectedValue(Parser<ValueSyntax> value) => input =>
    {
        var result = value(input);
        if (!result.WasSuccessful)
        {
            var (at, start) = SkipLeading(input);
            at.Tracker.Record(start, ExpectedValue);
        }

        return result;
    };
}

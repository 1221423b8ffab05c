using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;
using Sprache;

namespace Pipeline.Dsl.Parsing;

internal static partial class PipelineGrammar
{
    public const string ExpectedComparison = "'>' or '<'";
    public const string ExpectedOperand = "a number or a metric";

    // The lexical rules live in another part, whose initialisation order C# leaves unspecified: reached through Ref.
    private static readonly Parser<IdentifierSyntax> ExpectationName = Ref(() => Identifier);
    private static readonly Parser<RealLiteralSyntax> ThresholdReal = Ref(() => RealLiteral);
    private static readonly Parser<IntegerLiteralSyntax> ThresholdInteger = Ref(() => IntegerLiteral);

    // comparison = ">" | "<" ;
    internal static readonly Parser<ComparisonSyntax> Comparison = input =>
    {
        var (at, start) = SkipLeading(input);
        if (start < at.End && at.Source[start] is '>' or '<')
        {
            return Result.Success(new ComparisonSyntax(new TextSpan(start, 1), at.Source[start].ToString()), at.At(start + 1));
        }

        at.Tracker.Record(start, ExpectedComparison);
        return Result.Failure<ComparisonSyntax>(at.At(start), $"expected {ExpectedComparison}", [ExpectedComparison]);
    };

    // metric_reference = identifier "." identifier "(" identifier ")" "." identifier ;   (STAGE.METRIC(JUDGE).DIMENSION)
    internal static readonly Parser<MetricReferenceSyntax> MetricReference =
        (from stage in ExpectationName
         from dot in Symbol('.')
         from metric in ExpectationName
         from open in Symbol('(')
         from judge in ExpectationName
         from close in Symbol(')')
         from dimensionDot in Symbol('.')
         from dimension in ExpectationName
         select new MetricReferenceSyntax(Span(stage.Span.Start, dimension.Span.End), stage, metric, judge, dimension))
        .Named("metric");

    // threshold = real_literal | integer_literal ;
    internal static readonly Parser<ThresholdSyntax> Threshold =
        ThresholdReal.Select(r => (ValueSyntax)r)
            .Or(ThresholdInteger)
            .Select(literal => new ThresholdSyntax(literal.Span, literal))
            .Named("number");

    // expectation_operand = metric_reference | threshold ;
    internal static readonly Parser<ExpectationOperandSyntax> ExpectationOperand = input =>
    {
        var result = MetricReference.Select(m => (ExpectationOperandSyntax)m).Or(Threshold)(input);
        if (!result.WasSuccessful)
        {
            // The literals record nothing when they fail; say what belongs here.
            var (at, start) = SkipLeading(input);
            at.Tracker.Record(start, ExpectedOperand);
        }

        return result;
    };

    /// <summary>
    /// The word <c>expect</c>. Unlike <see cref="Keyword"/> it records nothing when it fails: every member may start
    /// with it, and a message about a misspelt property should not also offer 'expect'.
    /// </summary>
    private static readonly Parser<IdentifierSyntax> ExpectKeyword = input =>
    {
        var (at, start) = SkipLeading(input);
        var end = ScanIdentifier(at.Source, start, at.End);
        return at.Source.AsSpan(start, end - start).SequenceEqual(SyntaxKeywords.Expect)
            ? Result.Success(new IdentifierSyntax(TextSpan.FromBounds(start, end), SyntaxKeywords.Expect), at.At(end))
            : Result.Failure<IdentifierSyntax>(at.At(start), $"expected '{SyntaxKeywords.Expect}'", [$"'{SyntaxKeywords.Expect}'"]);
    };

    // expectation_declaration = "expect" metric_reference comparison expectation_operand ;
    internal static readonly Parser<ExpectationSyntax> ExpectationDeclaration =
        from keyword in ExpectKeyword
        from left in MetricReference
        from comparison in Comparison
        from right in ExpectationOperand
        select new ExpectationSyntax(Span(keyword.Span.Start, right.Span.End), left, comparison, right);

    /// <summary>
    /// Whether the member at [start, end) is an expectation: the word <c>expect</c> followed by a name (not by
    /// <c>=</c> or <c>.</c>, which make it a property or an override called <c>expect</c>). Recovery uses it to word
    /// a failure as a malformed expectation.
    /// </summary>
    internal static bool StartsExpectation(string text, int start, int end)
    {
        var word = SkipTrivia(text, start, end, newlines: true);
        var wordEnd = ScanIdentifier(text, word, end);
        if (!text.AsSpan(word, wordEnd - word).SequenceEqual(SyntaxKeywords.Expect))
        {
            return false;
        }

        var next = SkipTrivia(text, wordEnd, end, newlines: false);
        return next < end && IsIdentifierStart(text[next]);
    }
}

using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Catalog.Expectations;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Compiler.Binding;

/// <summary>
/// Binds and checks the experiment's expectations (<c>expect dpo.win_rate(oracle).TA &gt; 0.5</c>) once the stages are
/// bound: each metric names a method of a win_rates stage, a metric of <see cref="ExpectationVocabulary"/>, a judge
/// that judges that method there (<c>oracle</c> or a reward stage), and a dimension that judge scores; exactly one
/// win_rates stage measures it, since results.json keeps one win rate per method and judge; a number lies where a
/// win rate can pass it; a metric is not compared with itself. Both sides of a comparison are win rates, fractions of
/// one kind, so any two of them compare.
/// </summary>
internal sealed class ExpectationChecks(SemanticModel model, ArtifactShapes shapes, List<Diagnostic> diagnostics)
{
    /// <summary>One win_rates stage: its methods and its judges as results.json names them.</summary>
    private sealed record Evaluation(string Name, ImmutableArray<string> Methods, ImmutableArray<string> Judges);

    private readonly ImmutableArray<Evaluation> evaluations = model.Stages
        .Where(s => s.Kind.Name == EvaluateKindName && !s.IsInline)
        .Select(s => new Evaluation(s.Name, Methods(s), Judges(s)))
        .ToImmutableArray();

    private const string EvaluateKindName = "win_rates";

    public ImmutableArray<BoundExpectation> Bind(IEnumerable<(ExpectationSyntax Syntax, string Path)> expectations)
    {
        var bound = new Dictionary<string, BoundExpectation>(StringComparer.Ordinal);
        foreach (var (syntax, path) in expectations)
        {
            var before = diagnostics.Count;
            var left = Metric(syntax.Left, path);
            var right = syntax.Right is MetricReferenceSyntax metric ? Metric(metric, path) : null;
            if (diagnostics.Count > before || left is null || (syntax.Right is MetricReferenceSyntax && right is null))
            {
                continue;
            }

            var expression = CanonicalForm.ExpectationText(syntax);
            var comparison = syntax.Comparison.Operator == SyntaxKeywords.Greater ? Comparison.Greater : Comparison.Less;
            double? threshold = syntax.Right is ThresholdSyntax number ? Number(number) : null;
            if (threshold is { } value && !CanPass(value, comparison))
            {
                Report(CompilerDiagnostics.ThresholdNeverHolds(syntax.Right.Span, expression), path);
                continue;
            }

            if (right is not null && right == left)
            {
                Report(CompilerDiagnostics.ComparesWithItself(syntax.Right.Span, left.ToString()), path);
                continue;
            }

            if (bound.ContainsKey(expression))
            {
                Report(CompilerDiagnostics.DuplicateExpectation(syntax.Span, expression), path);
                continue;
            }

            bound[expression] = new BoundExpectation(new Expectation(expression, left, comparison, right, threshold), syntax.Span, path);
        }

        return bound.Values.OrderBy(b => b.Expectation.Expression, StringComparer.Ordinal).ToImmutableArray();
    }

    /// <summary>The metric a reference names, or null after reporting why it names none.</summary>
    private MetricReference? Metric(MetricReferenceSyntax syntax, string path)
    {
        var stageName = syntax.Stage.Name;
        var methods = evaluations.SelectMany(e => e.Methods).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var stage = model.FindStage(stageName);
        if (stage is null || stage.IsInline)
        {
            Report(CompilerDiagnostics.ExpectationUnknownStage(syntax.Stage.Span, stageName, methods), path);
            return null;
        }

        if (!ExpectationVocabulary.Metrics.Contains(syntax.Metric.Name))
        {
            Report(CompilerDiagnostics.UnknownMetric(syntax.Metric.Span, syntax.Metric.Name, ExpectationVocabulary.Metrics), path);
            return null;
        }

        var comparedIn = evaluations.Where(e => e.Methods.Contains(stageName)).ToArray();
        if (comparedIn.Length == 0)
        {
            Report(CompilerDiagnostics.NotEvaluated(syntax.Stage.Span, stageName, methods), path);
            return null;
        }

        var judge = syntax.Judge.Name;
        var judgedIn = comparedIn.Where(e => e.Judges.Contains(judge)).ToArray();
        if (judgedIn.Length == 0)
        {
            var judges = comparedIn.SelectMany(e => e.Judges).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            Report(CompilerDiagnostics.UnknownJudge(syntax.Judge.Span, judge, stageName, judges), path);
            return null;
        }

        if (judgedIn.Length > 1)
        {
            Report(CompilerDiagnostics.AmbiguousWinRate(syntax.Stage.Span, stageName, judge, judgedIn.Select(e => $"'{e.Name}'")), path);
            return null;
        }

        var dimension = syntax.Dimension.Name;
        if (!ExpectationVocabulary.Dimensions.Contains(dimension))
        {
            Report(CompilerDiagnostics.UnknownDimension(syntax.Dimension.Span, dimension, ExpectationVocabulary.Dimensions), path);
            return null;
        }

        var scored = JudgedDimensions(judge);
        if (!scored.Contains(dimension))
        {
            Report(CompilerDiagnostics.DimensionNotJudged(syntax.Dimension.Span, judge, dimension, scored), path);
            return null;
        }

        return new MetricReference(stageName, syntax.Metric.Name, judge, dimension);
    }

    /// <summary>What a judge scores: the oracle every dimension, a reward model those of its training pairs; Overall always.</summary>
    private ImmutableArray<string> JudgedDimensions(string judge)
    {
        var dimensions = judge == ExpectationVocabulary.Oracle || model.FindStage(judge) is not { } reward
            ? ExpectationVocabulary.Dimensions.Where(d => d != ExpectationVocabulary.Overall).ToImmutableArray()
            : shapes.Of(reward).Dimensions;
        return dimensions.Add(ExpectationVocabulary.Overall);
    }

    /// <summary>
    /// Whether a win rate in [0, 1] can pass <paramref name="threshold"/>: the whole interval must lie beyond it, so
    /// <c>&gt; 1</c> and <c>&lt; 0</c> never hold, nor does anything beyond [0, 1].
    /// </summary>
    private static bool CanPass(double threshold, Comparison comparison) =>
        comparison == Comparison.Greater ? threshold >= 0 && threshold < 1 : threshold > 0 && threshold <= 1;

    private static double Number(ThresholdSyntax threshold) => threshold.Literal switch
    {
        IntegerLiteralSyntax integer => integer.Value,
        RealLiteralSyntax real => real.Value,
        _ => throw new InvalidOperationException($"A threshold is a number literal, not {threshold.Literal.GetType().Name}."),
    };

    private static ImmutableArray<string> Methods(StageSymbol stage) =>
        stage.Find("methods")?.Value is BoundReferenceList list
            ? list.Items.Where(r => r.Steps.IsEmpty).Select(r => r.Stage).ToImmutableArray()
            : [];

    /// <summary>A win_rates stage's judges as results.json keys them: <c>oracle</c> for the world's oracle, else the reward stage's name.</summary>
    private static ImmutableArray<string> Judges(StageSymbol stage) =>
        stage.Find("judges")?.Value is BoundReferenceList list
            ? list.Items
                .Select(r => r.Type == ArtifactType.Judge ? ExpectationVocabulary.Oracle : r.Steps.IsEmpty ? r.Stage : null)
                .OfType<string>()
                .ToImmutableArray()
            : [];

    private void Report(Diagnostic diagnostic, string path) => diagnostics.Add(diagnostic with { Path = path });
}

namespace Pipeline.Dsl.Syntax;

/// <summary>The children of a syntax node in source order, without trivia; one place that knows every node's shape.</summary>
public static class SyntaxWalker
{
    public static IEnumerable<SyntaxNode> Children(SyntaxNode node) => node switch
    {
        CompilationUnitSyntax unit => [unit.Experiment],
        ExperimentSyntax experiment => Concat([experiment.Name, experiment.Extends], experiment.Members),
        ExtendsClauseSyntax extends => [extends.Path],
        PropertySyntax property => [property.Name, property.Value],
        OverrideSyntax @override => Concat(@override.Target, [@override.Value]),
        StageSyntax stage => Concat([stage.Role, stage.Name, stage.Kind], stage.Properties),
        ExpectationSyntax expectation => [expectation.Left, expectation.Comparison, expectation.Right],
        MetricReferenceSyntax metric => [metric.Stage, metric.Metric, metric.Judge, metric.Dimension],
        ThresholdSyntax threshold => [threshold.Literal],
        ReferenceSyntax reference => reference.Parts,
        ListSyntax list => list.Items,
        MapSyntax map => map.Entries,
        MapEntrySyntax entry => [entry.Key, entry.Value],
        CallSyntax call => Concat([call.Callee], call.Arguments),
        ArgumentSyntax argument => Concat([argument.Name], [argument.Value]),
        InlineStageSyntax inline => Concat([inline.Kind], inline.Properties),
        SweepSyntax sweep => [sweep.Points],
        _ => [],
    };

    /// <summary>The node and everything below it, depth first, in source order.</summary>
    public static IEnumerable<SyntaxNode> DescendantsAndSelf(SyntaxNode node)
    {
        var stack = new Stack<SyntaxNode>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            foreach (var child in Children(current).Reverse())
            {
                stack.Push(child);
            }
        }
    }

    private static IEnumerable<SyntaxNode> Concat(IEnumerable<SyntaxNode?> first, IEnumerable<SyntaxNode> second) =>
        first.Where(n => n is not null).Select(n => n!).Concat(second);
}

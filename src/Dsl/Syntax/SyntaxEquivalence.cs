using System.Collections.Immutable;

namespace Pipeline.Dsl.Syntax;

/// <summary>
/// Structural comparison of syntax trees. Record equality is not enough (ImmutableArray compares by reference), and
/// tests usually want to ignore where things were written and the comments around them.
/// </summary>
public static class SyntaxEquivalence
{
    /// <summary>Whether two trees say the same thing; spans and comments are ignored unless asked for.</summary>
    public static bool AreEquivalent(SyntaxNode? left, SyntaxNode? right, bool compareSpans = false, bool compareTrivia = false) =>
        new Comparer(compareSpans, compareTrivia).Equal(left, right);

    private sealed class Comparer(bool compareSpans, bool compareTrivia)
    {
        public bool Equal(SyntaxNode? left, SyntaxNode? right)
        {
            if (left is null || right is null)
            {
                return left is null && right is null;
            }

            if (left.GetType() != right.GetType() || (compareSpans && left.Span != right.Span))
            {
                return false;
            }

            if (left is MemberSyntax leftMember && right is MemberSyntax rightMember && compareTrivia &&
                (!Equal(leftMember.LeadingComments, rightMember.LeadingComments) || !Equal(leftMember.TrailingComment, rightMember.TrailingComment)))
            {
                return false;
            }

            return (left, right) switch
            {
                (IdentifierSyntax a, IdentifierSyntax b) => a.Name == b.Name,
                (CommentSyntax a, CommentSyntax b) => a.Text == b.Text,
                (CompilationUnitSyntax a, CompilationUnitSyntax b) => Equal(a.Experiment, b.Experiment) &&
                    (!compareTrivia || (Equal(a.LeadingComments, b.LeadingComments) && Equal(a.TrailingComments, b.TrailingComments))),
                (ExperimentSyntax a, ExperimentSyntax b) => Equal(a.Name, b.Name) && Equal(a.Extends, b.Extends) && Equal(a.Members, b.Members) &&
                    (!compareTrivia || (Equal(a.HeaderComment, b.HeaderComment) && Equal(a.DanglingComments, b.DanglingComments))),
                (ExtendsClauseSyntax a, ExtendsClauseSyntax b) => Equal(a.Path, b.Path),
                (PropertySyntax a, PropertySyntax b) => Equal(a.Name, b.Name) && Equal(a.Value, b.Value),
                (OverrideSyntax a, OverrideSyntax b) => Equal(a.Target, b.Target) && Equal(a.Value, b.Value),
                (StageSyntax a, StageSyntax b) => Equal(a.Role, b.Role) && Equal(a.Name, b.Name) && Equal(a.Kind, b.Kind) && Equal(a.Properties, b.Properties) &&
                    (!compareTrivia || (Equal(a.HeaderComment, b.HeaderComment) && Equal(a.DanglingComments, b.DanglingComments))),
                (ExpectationSyntax a, ExpectationSyntax b) => Equal(a.Left, b.Left) && Equal(a.Comparison, b.Comparison) && Equal(a.Right, b.Right),
                (MetricReferenceSyntax a, MetricReferenceSyntax b) => Equal(a.Stage, b.Stage) && Equal(a.Metric, b.Metric) && Equal(a.Judge, b.Judge) && Equal(a.Dimension, b.Dimension),
                (ThresholdSyntax a, ThresholdSyntax b) => Equal(a.Literal, b.Literal),
                (ComparisonSyntax a, ComparisonSyntax b) => a.Operator == b.Operator,
                (IntegerLiteralSyntax a, IntegerLiteralSyntax b) => a.Value == b.Value && a.Text == b.Text,
                (RealLiteralSyntax a, RealLiteralSyntax b) => a.Value.Equals(b.Value) && a.Text == b.Text,
                (BooleanLiteralSyntax a, BooleanLiteralSyntax b) => a.Value == b.Value,
                (StringLiteralSyntax a, StringLiteralSyntax b) => a.Value == b.Value,
                (ReferenceSyntax a, ReferenceSyntax b) => Equal(a.Parts, b.Parts),
                (ListSyntax a, ListSyntax b) => Equal(a.Items, b.Items),
                (MapSyntax a, MapSyntax b) => Equal(a.Entries, b.Entries),
                (MapEntrySyntax a, MapEntrySyntax b) => Equal(a.Key, b.Key) && Equal(a.Value, b.Value),
                (CallSyntax a, CallSyntax b) => Equal(a.Callee, b.Callee) && Equal(a.Arguments, b.Arguments),
                (ArgumentSyntax a, ArgumentSyntax b) => Equal(a.Name, b.Name) && Equal(a.Value, b.Value),
                (InlineStageSyntax a, InlineStageSyntax b) => Equal(a.Kind, b.Kind) && Equal(a.Properties, b.Properties) &&
                    (!compareTrivia || (Equal(a.HeaderComment, b.HeaderComment) && Equal(a.DanglingComments, b.DanglingComments))),
                (SweepSyntax a, SweepSyntax b) => Equal(a.Points, b.Points),
                _ => throw new InvalidOperationException($"SyntaxEquivalence does not know {left.GetType().Name}."),
            };
        }

        private bool Equal<T>(ImmutableArray<T> left, ImmutableArray<T> right)
            where T : SyntaxNode
        {
            if (left.Length != right.Length)
            {
                return false;
            }

            for (var i = 0; i < left.Length; i++)
            {
                if (!Equal(left[i], right[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

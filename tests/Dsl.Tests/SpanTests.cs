using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary>Every node has a span inside its parent's, siblings come in order, and comments sit outside code.</summary>
public sealed class SpanTests
{
    [Theory]
    [MemberData(nameof(TestFiles.ValidFileData), MemberType = typeof(TestFiles))]
    public void Children_lie_inside_their_parent_and_siblings_are_ordered(string path)
    {
        var tree = TestFiles.Parse(path);
        Assert.Empty(SpanProblems(tree.Root, tree.Source.Text.Length));
    }

    [Theory]
    [MemberData(nameof(InvalidFiles.Data), MemberType = typeof(InvalidFiles))]
    public void Partial_trees_of_invalid_files_have_consistent_spans(string path)
    {
        var tree = TestFiles.Parse(path);
        Assert.Empty(SpanProblems(tree.Root, tree.Source.Text.Length));
    }

    [Fact]
    public void Spans_point_at_the_text_they_stand_for()
    {
        var tree = TestFiles.Parse("tests/Dsl.Tests/Corpus/videoalign-sketch.pipe");
        var text = tree.Source.Text;
        foreach (var node in SyntaxWalker.DescendantsAndSelf(tree.Root))
        {
            var written = text.Substring(node.Span.Start, node.Span.Length);
            switch (node)
            {
                case IdentifierSyntax identifier:
                    Assert.Equal(identifier.Name, written);
                    break;
                case IntegerLiteralSyntax integer:
                    Assert.Equal(integer.Text, written);
                    break;
                case RealLiteralSyntax real:
                    Assert.Equal(real.Text, written);
                    break;
                case ListSyntax:
                    Assert.StartsWith("[", written);
                    Assert.EndsWith("]", written);
                    break;
                case StageSyntax or MapSyntax or InlineStageSyntax or ExperimentSyntax:
                    Assert.EndsWith("}", written);
                    break;
                case CallSyntax:
                    Assert.EndsWith(")", written);
                    break;
            }
        }
    }

    [Fact]
    public void Comment_spans_hold_the_comment_text()
    {
        var tree = TestFiles.Parse("tests/Dsl.Tests/Corpus/layouts.pipe");
        var comments = AllComments(tree.Root).ToList();
        Assert.Equal(11, comments.Count);
        foreach (var comment in comments)
        {
            Assert.Equal(comment.Text, tree.Source.Text.Substring(comment.Span.Start, comment.Span.Length));
        }
    }

    internal static List<string> SpanProblems(SyntaxNode root, int textLength)
    {
        var problems = new List<string>();
        if (root.Span.Start < 0 || root.Span.End > textLength)
        {
            problems.Add($"root {root.Span} outside the text");
        }

        foreach (var node in SyntaxWalker.DescendantsAndSelf(root))
        {
            var previous = (TextSpan?)null;
            foreach (var child in SyntaxWalker.Children(node))
            {
                if (!node.Span.Contains(child.Span))
                {
                    problems.Add($"{child.GetType().Name} {child.Span} is not inside {node.GetType().Name} {node.Span}");
                }

                if (previous is { } before && child.Span.Start < before.End)
                {
                    problems.Add($"{child.GetType().Name} {child.Span} starts before its previous sibling ends {before}");
                }

                previous = child.Span;
            }
        }

        return problems;
    }

    internal static IEnumerable<CommentSyntax> AllComments(CompilationUnitSyntax unit)
    {
        var comments = new List<CommentSyntax>(unit.LeadingComments);
        comments.AddRange(unit.TrailingComments);
        if (unit.Experiment.HeaderComment is { } header)
        {
            comments.Add(header);
        }

        comments.AddRange(unit.Experiment.DanglingComments);
        foreach (var node in SyntaxWalker.DescendantsAndSelf(unit))
        {
            if (node is MemberSyntax member)
            {
                comments.AddRange(member.LeadingComments);
                if (member.TrailingComment is { } trailing)
                {
                    comments.Add(trailing);
                }
            }

            if (node is StageSyntax stage)
            {
                comments.AddRange(stage.DanglingComments);
                if (stage.HeaderComment is { } stageHeader)
                {
                    comments.Add(stageHeader);
                }
            }

            if (node is InlineStageSyntax inline)
            {
                comments.AddRange(inline.DanglingComments);
                if (inline.HeaderComment is { } inlineHeader)
                {
                    comments.Add(inlineHeader);
                }
            }
        }

        return comments.OrderBy(c => c.Span.Start);
    }
}

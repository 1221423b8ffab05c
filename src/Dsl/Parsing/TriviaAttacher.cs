using System.Collections.Immutable;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// Attaches the comments found by the pre-scan to the tree, so that the grammar can treat them as white space and
/// the formatter can still put them back. A comment after a member on its line trails it; a comment on the line of
/// an opening brace is the body's header comment; other comments lead the next member, or dangle at the end of a
/// body. A comment written inside a value (between list items, say) leads the member that holds the value.
/// </summary>
internal static class TriviaAttacher
{
    public static CompilationUnitSyntax Attach(CompilationUnitSyntax unit, List<CommentSyntax> comments, SourceText source)
    {
        if (comments.Count == 0)
        {
            return unit;
        }

        var experiment = unit.Experiment;
        var leading = comments.Where(c => c.Span.Start < experiment.Span.Start || experiment.Span.Length == 0).ToImmutableArray();
        var trailing = comments.Where(c => experiment.Span.Length > 0 && c.Span.Start >= experiment.Span.End).ToImmutableArray();
        var inside = comments.Where(c => experiment.Span.Length > 0 && c.Span.Start >= experiment.Span.Start && c.Span.Start < experiment.Span.End).ToList();
        var open = FindBrace(source.Text, (experiment.Extends?.Span ?? experiment.Name.Span).End, experiment.Span.End);
        var body = AttachBody(experiment.Members, inside, open, source);
        var attached = experiment with
        {
            Members = body.Members,
            HeaderComment = body.Header,
            DanglingComments = body.Dangling,
        };
        var before = inside.Where(c => c.Span.Start < open).ToImmutableArray();
        return unit with
        {
            Experiment = attached,
            LeadingComments = leading.AddRange(before),
            TrailingComments = trailing,
        };
    }

    private sealed record Body<T>(ImmutableArray<T> Members, CommentSyntax? Header, ImmutableArray<CommentSyntax> Dangling)
        where T : MemberSyntax;

    private static Body<T> AttachBody<T>(ImmutableArray<T> members, List<CommentSyntax> comments, int open, SourceText source)
        where T : MemberSyntax
    {
        var inside = new List<CommentSyntax>[members.Length];
        var leading = new List<CommentSyntax>[members.Length];
        var trailing = new CommentSyntax?[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            inside[i] = [];
            leading[i] = [];
        }

        CommentSyntax? header = null;
        var dangling = ImmutableArray.CreateBuilder<CommentSyntax>();

        // Comments and members are both in text order, so one forward pass pairs them: `next` is the first
        // member that ends after the comment starts.
        var next = 0;
        foreach (var comment in comments)
        {
            if (comment.Span.Start < open)
            {
                continue;
            }

            while (next < members.Length && members[next].Span.End <= comment.Span.Start)
            {
                next++;
            }

            if (next < members.Length && members[next].Span.Start <= comment.Span.Start)
            {
                inside[next].Add(comment);
                continue;
            }

            var previous = next - 1;
            var line = Line(source, comment.Span.Start);
            if (previous >= 0 && Line(source, members[previous].Span.End) == line && trailing[previous] is null)
            {
                trailing[previous] = comment;
            }
            else if (previous < 0 && header is null && open >= 0 && Line(source, open) == line)
            {
                header = comment;
            }
            else if (next < members.Length)
            {
                leading[next].Add(comment);
            }
            else
            {
                dangling.Add(comment);
            }
        }

        var result = ImmutableArray.CreateBuilder<T>(members.Length);
        for (var i = 0; i < members.Length; i++)
        {
            var member = AttachInside(members[i], inside[i], source, out var moved);
            result.Add((T)(MemberSyntax)(member with
            {
                LeadingComments = members[i].LeadingComments.AddRange(leading[i]).AddRange(moved),
                TrailingComment = trailing[i] ?? members[i].TrailingComment,
            }));
        }

        return new Body<T>(result.MoveToImmutable(), header, dangling.ToImmutable());
    }

    /// <summary>Attaches comments inside a member's span; <paramref name="moved"/> are those that must lead it instead.</summary>
    private static MemberSyntax AttachInside(MemberSyntax member, List<CommentSyntax> comments, SourceText source, out List<CommentSyntax> moved)
    {
        moved = [];
        if (comments.Count == 0)
        {
            return member;
        }

        switch (member)
        {
            case StageSyntax stage:
            {
                var open = FindBrace(source.Text, stage.Kind.Span.End, stage.Span.End);
                moved.AddRange(comments.Where(c => c.Span.Start < open));
                var body = AttachBody(stage.Properties, comments.Where(c => c.Span.Start > open).ToList(), open, source);
                return stage with { Properties = body.Members, HeaderComment = body.Header, DanglingComments = body.Dangling };
            }

            case PropertySyntax { Value: InlineStageSyntax inline } property when inline.Span.Start < comments[0].Span.Start:
            {
                var open = FindBrace(source.Text, inline.Kind.Span.End, inline.Span.End);
                moved.AddRange(comments.Where(c => c.Span.Start < open || c.Span.Start >= inline.Span.End));
                var body = AttachBody(inline.Properties, comments.Where(c => c.Span.Start > open && c.Span.Start < inline.Span.End).ToList(), open, source);
                var value = inline with { Properties = body.Members, HeaderComment = body.Header, DanglingComments = body.Dangling };
                return property with { Value = value };
            }

            default:
                moved.AddRange(comments);
                return member;
        }
    }

    /// <summary>The first '{' in [from, to) outside comments and strings; -1 when there is none.</summary>
    private static int FindBrace(string text, int from, int to)
    {
        for (var i = PipelineGrammar.SkipTrivia(text, from, to, newlines: true); i < to; i = PipelineGrammar.SkipTrivia(text, i + 1, to, newlines: true))
        {
            if (text[i] == '{')
            {
                return i;
            }
        }

        return -1;
    }

    private static int Line(SourceText source, int offset) => source.GetLineColumn(offset).Line;
}

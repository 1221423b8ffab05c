using System.Collections.Immutable;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// The parser façade and the one place where parse failures become diagnostics. <see cref="Parse"/> never throws
/// for bad input: it guards the text, pre-scans its structure, parses the whole file with the grammar and, when that
/// fails, parses member by member so that one run reports several independent mistakes. <see cref="Root"/> is always
/// a tree, partial when there were errors.
/// </summary>
public sealed class SyntaxTree
{
    private SyntaxTree(SourceText source, CompilationUnitSyntax root, ImmutableArray<Diagnostic> diagnostics)
    {
        Source = source;
        Root = root;
        Diagnostics = diagnostics;
    }

    public SourceText Source { get; }

    public CompilationUnitSyntax Root { get; }

    /// <summary>Findings in text order, each with <see cref="Diagnostic.Path"/> set to the source's path.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    public static SyntaxTree Parse(SourceText source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = source.Text;
        var diagnostics = SourceGuard.Check(text, out var fatal);
        CompilationUnitSyntax root;
        if (fatal)
        {
            root = EmptyUnit(text.Length);
        }
        else
        {
            var scan = StructureScanner.Scan(text);
            diagnostics.AddRange(scan.Diagnostics);
            if (scan.TooDeep)
            {
                root = EmptyUnit(text.Length);
            }
            else
            {
                var tracker = new FailureTracker();
                var result = scan.Diagnostics.Count == 0
                    ? PipelineGrammar.CompilationUnit(new SourceInput(text, 0, text.Length, tracker))
                    : null;
                root = result is { WasSuccessful: true }
                    ? result.Value
                    : new Recovery(text, scan, tracker, diagnostics).Run();
                root = TriviaAttacher.Attach(root, scan.Comments, source);
                diagnostics.AddRange(SyntaxValidator.Validate(root, text));
            }
        }

        var sorted = diagnostics
            .Select(d => d with { Path = source.Path })
            .OrderBy(d => d.Span.Start)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToImmutableArray();
        return new SyntaxTree(source, root, sorted);
    }

    /// <summary>Parses one value written in the language's own syntax (for <c>--set PATH=VALUE</c>).</summary>
    public static (ValueSyntax? Value, ImmutableArray<Diagnostic> Diagnostics) ParseValue(SourceText source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = source.Text;
        var diagnostics = SourceGuard.Check(text, out var fatal);
        if (!fatal)
        {
            var scan = StructureScanner.Scan(text);
            diagnostics.AddRange(scan.Diagnostics);
            if (!scan.TooDeep && scan.Diagnostics.Count == 0)
            {
                var tracker = new FailureTracker();
                var result = PipelineGrammar.Value(new SourceInput(text, 0, text.Length, tracker));
                if (result.WasSuccessful && PipelineGrammar.SkipTrivia(text, result.Remainder.Position, text.Length, newlines: true) == text.Length)
                {
                    diagnostics.AddRange(SyntaxValidator.ValidateValue(result.Value, text));
                    return (result.Value, diagnostics.Select(d => d with { Path = source.Path }).ToImmutableArray());
                }

                var rest = result.WasSuccessful ? PipelineGrammar.SkipTrivia(text, result.Remainder.Position, text.Length, newlines: true) : -1;
                if (rest >= tracker.Position)
                {
                    // The value parsed and something follows it; a failure further on (inside `f(x: )`) is more precise.
                    diagnostics.Add(DiagnosticBuilder.TextAfterValue(Recovery.TokenSpan(text, rest, text.Length), Recovery.DescribeAt(text, rest, text.Length)));
                }
                else
                {
                    diagnostics.Add(Recovery.FromFailure(text, tracker, 0, text.Length));
                }
            }
        }

        return (null, diagnostics.Select(d => d with { Path = source.Path }).ToImmutableArray());
    }

    private static CompilationUnitSyntax EmptyUnit(int length)
    {
        var experiment = new ExperimentSyntax(new TextSpan(0, 0), new IdentifierSyntax(new TextSpan(0, 0), string.Empty), null, ImmutableArray<MemberSyntax>.Empty);
        return new CompilationUnitSyntax(new TextSpan(0, length), experiment, ImmutableArray<CommentSyntax>.Empty, ImmutableArray<CommentSyntax>.Empty);
    }
}

using System.Collections.Immutable;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;
using Sprache;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// Error recovery for a file the grammar rejected. Sprache stops at its first failure, so the body of the experiment
/// is split at member boundaries (from the pre-scan) and each member is parsed on its own; a stage that fails is
/// split again at its property boundaries. Each failing piece gives one diagnostic at its furthest failure, and
/// every piece that parses is kept, so the tree is as complete as the text allows.
/// </summary>
internal sealed class Recovery(string text, StructureScanner scan, FailureTracker tracker, List<Diagnostic> diagnostics)
{
    /// <summary>After this many syntax errors the rest of the file is not parsed member by member.</summary>
    public const int MaxErrors = 100;

    private readonly HashSet<(int Start, string Code)> reported = diagnostics.Select(d => (d.Span.Start, d.Code)).ToHashSet();
    private readonly int[] structuralErrors = scan.Diagnostics.Select(d => d.Span.Start).Order().ToArray();
    private int errors;

    public CompilationUnitSyntax Run()
    {
        tracker.Reset();
        var header = PipelineGrammar.ExperimentHeader(new SourceInput(text, 0, text.Length, tracker));
        IdentifierSyntax name;
        ExtendsClauseSyntax? extends = null;
        int open;
        int start;
        if (header.WasSuccessful)
        {
            name = header.Value.Name;
            extends = header.Value.Extends;
            open = header.Value.Open;
            start = header.Value.Keyword.Span.Start;
        }
        else
        {
            var first = PipelineGrammar.SkipTrivia(text, 0, text.Length, newlines: true);
            start = first;
            var keyword = PipelineGrammar.ScanIdentifier(text, first, text.Length);
            Report(text.AsSpan(first, keyword - first).SequenceEqual(SyntaxKeywords.Experiment)
                ? FromFailure(text, tracker, first, text.Length)
                : DiagnosticBuilder.ExpectedExperiment(TokenSpan(text, first, text.Length), DescribeAt(text, first, text.Length)));
            name = new IdentifierSyntax(new TextSpan(first, 0), string.Empty);
            open = FirstTopLevelBrace();
            if (open < 0)
            {
                var missing = new ExperimentSyntax(new TextSpan(first, 0), name, null, ImmutableArray<MemberSyntax>.Empty);
                return Unit(missing);
            }
        }

        var close = scan.Matches.TryGetValue(open, out var matched) ? matched : text.Length;
        var members = RecoverMembers(open + 1, close, experimentLevel: true).Cast<MemberSyntax>().ToImmutableArray();
        var end = Math.Min(close + 1, text.Length);
        if (close < text.Length)
        {
            var after = PipelineGrammar.SkipTrivia(text, close + 1, text.Length, newlines: true);
            if (after < text.Length && !OverlapsStructuralError(after, text.Length))
            {
                Report(DiagnosticBuilder.TextAfterExperiment(TokenSpan(text, after, text.Length)));
            }
        }

        return Unit(new ExperimentSyntax(TextSpan.FromBounds(start, end), name, extends, members));
    }

    private CompilationUnitSyntax Unit(ExperimentSyntax experiment) =>
        new(new TextSpan(0, text.Length), experiment, ImmutableArray<CommentSyntax>.Empty, ImmutableArray<CommentSyntax>.Empty);

    private List<MemberSyntax> RecoverMembers(int start, int end, bool experimentLevel)
    {
        var members = new List<MemberSyntax>();
        foreach (var (segmentStart, segmentEnd) in scan.SplitMembers(start, end))
        {
            if (errors >= MaxErrors)
            {
                break;
            }

            tracker.Reset();
            var input = new SourceInput(text, segmentStart, segmentEnd, tracker);
            var result = experimentLevel ? PipelineGrammar.Member(input) : MemberProperty(input);
            if (result.WasSuccessful)
            {
                members.Add(result.Value);
                var rest = PipelineGrammar.MemberSeparator(result.Remainder);
                if (!rest.WasSuccessful && !OverlapsStructuralError(segmentStart, segmentEnd))
                {
                    Report(FromFailure(text, tracker, segmentStart, segmentEnd));
                }

                continue;
            }

            var failure = experimentLevel && PipelineGrammar.StartsExpectation(text, segmentStart, segmentEnd)
                ? AsMalformedExpectation(FromFailure(text, tracker, segmentStart, segmentEnd))
                : FromFailure(text, tracker, segmentStart, segmentEnd);
            var before = diagnostics.Count;
            var stage = experimentLevel ? RecoverStage(segmentStart, segmentEnd) : null;
            if (stage is not null)
            {
                members.Add(stage);
            }

            if (diagnostics.Count == before && !OverlapsStructuralError(segmentStart, segmentEnd))
            {
                Report(failure);
            }
        }

        return members;
    }

    /// <summary>A failure inside an expectation, worded with the expectation's shape (PIPE0060).</summary>
    private Diagnostic AsMalformedExpectation(Diagnostic failure)
    {
        // A stage or a property starting with the same words wanted '=' at the same place; an expectation never does.
        var expected = tracker.Expected.Where(e => e != "'='").Order(StringComparer.Ordinal).ToList();
        if (expected.Contains(PipelineGrammar.ExpectedOperand))
        {
            expected.Remove(PipelineGrammar.ExpectedName); // a metric starts with a name: one phrase says both
        }

        if (expected.Count == 0)
        {
            expected.Add(PipelineGrammar.ExpectedName);
        }

        var words = expected.Count == 1 ? expected[0] : string.Join(", ", expected.Take(expected.Count - 1)) + " or " + expected[^1];
        var position = failure.Span.Start;
        return DiagnosticBuilder.MalformedExpectation(failure.Span, words, DescribeAt(text, position, text.Length));
    }

    private static readonly Parser<MemberSyntax> MemberProperty = PipelineGrammar.PropertyAssignment.Select(p => (MemberSyntax)p);

    /// <summary>A stage whose header parses keeps the properties of its body that parse.</summary>
    private StageSyntax? RecoverStage(int start, int end)
    {
        tracker.Reset();
        var header = PipelineGrammar.StageHeader(new SourceInput(text, start, end, tracker));
        if (!header.WasSuccessful)
        {
            return null;
        }

        var (role, name, kind, open) = header.Value;
        var close = scan.Matches.TryGetValue(open, out var matched) ? Math.Min(matched, end) : end;
        var properties = RecoverMembers(open + 1, close, experimentLevel: false).Cast<PropertySyntax>().ToImmutableArray();
        var stageEnd = close < text.Length && text[close] == '}' ? close + 1 : close;
        return new StageSyntax(TextSpan.FromBounds(role.Span.Start, stageEnd), role, name, kind, properties);
    }

    private bool OverlapsStructuralError(int start, int end)
    {
        var index = Array.BinarySearch(structuralErrors, start);
        var first = index >= 0 ? index : ~index;
        return first < structuralErrors.Length && structuralErrors[first] < end;
    }

    private int FirstTopLevelBrace()
    {
        foreach (var open in scan.Matches.Keys.Order())
        {
            if (text[open] == '{')
            {
                return open;
            }
        }

        return -1;
    }

    private void Report(Diagnostic diagnostic)
    {
        if (reported.Add((diagnostic.Span.Start, diagnostic.Code)))
        {
            diagnostics.Add(diagnostic);
            errors++;
        }
    }

    /// <summary>The diagnostic for the furthest failure the tracker saw inside [start, end).</summary>
    public static Diagnostic FromFailure(string text, FailureTracker tracker, int start, int end)
    {
        var position = tracker.Position < 0 ? PipelineGrammar.SkipTrivia(text, start, end, newlines: true) : tracker.Position;
        if (position > 0 && position <= text.Length && text[position - 1] == '\r' && (position == text.Length || text[position] == '\n'))
        {
            position--; // point at the end of the line, not between CR and LF
        }

        var span = TokenSpan(text, position, end);
        var found = DescribeAt(text, position, end);
        var expected = tracker.Expected;
        if (expected.Contains(PipelineGrammar.ExpectedValue))
        {
            return DiagnosticBuilder.ExpectedValue(span, found);
        }

        if (expected.Contains(PipelineGrammar.ExpectedSeparator))
        {
            return DiagnosticBuilder.MissingSeparator(span, found);
        }

        if (expected.Contains("'='"))
        {
            return DiagnosticBuilder.ExpectedToken(span, "'='", found);
        }

        if (expected.Count == 1 && expected.Contains(PipelineGrammar.ExpectedName))
        {
            return DiagnosticBuilder.ExpectedName(span, found);
        }

        var words = expected.Count == 0 ? [PipelineGrammar.ExpectedName] : expected.ToList();
        var joined = words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];
        return DiagnosticBuilder.ExpectedToken(span, joined, found);
    }

    /// <summary>The span of the token at <paramref name="position"/>: a word, a number or one character.</summary>
    public static TextSpan TokenSpan(string text, int position, int end)
    {
        if (position >= end || position >= text.Length)
        {
            return new TextSpan(Math.Min(position, text.Length), 0);
        }

        var wordEnd = position;
        while (wordEnd < end && (PipelineGrammar.IsIdentifierPart(text[wordEnd]) || (wordEnd > position && text[wordEnd] == '.' && wordEnd + 1 < end && char.IsAsciiDigit(text[wordEnd + 1]))))
        {
            wordEnd++;
        }

        return TextSpan.FromBounds(position, Math.Max(wordEnd, position + 1));
    }

    public static string DescribeAt(string text, int position, int end)
    {
        if (position >= text.Length)
        {
            return DiagnosticBuilder.Describe(null);
        }

        if (position >= end)
        {
            return text[Math.Min(end, text.Length - 1)] == '\n' ? DiagnosticBuilder.Describe("\n") : DiagnosticBuilder.Describe(text[end].ToString());
        }

        var span = TokenSpan(text, position, end);
        return DiagnosticBuilder.Describe(text.Substring(span.Start, span.Length));
    }
}

using System.Globalization;
using System.Text;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Formatting;

/// <summary>
/// The one canonical layout: two-space indent, one member per line, a blank line around each stage and around each
/// run of expectations, no alignment
/// (so renaming one property changes one line), lists, maps and calls inline while the line stays within
/// <see cref="MaxLineWidth"/> and one item per line otherwise. Comments are kept where they were attached.
/// Formatting is idempotent, and the tree of its output equals the input's when spans and trivia are ignored.
/// </summary>
public static class SyntaxFormatter
{
    public const int MaxLineWidth = 100;
    private const string Indent = "  ";

    /// <summary>The canonical text of a file, ending with one line break.</summary>
    public static string Format(CompilationUnitSyntax unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var writer = new Writer();
        foreach (var comment in unit.LeadingComments)
        {
            writer.Line(0, comment.Text);
        }

        WriteExperiment(writer, unit.Experiment);
        foreach (var comment in unit.TrailingComments)
        {
            writer.Line(0, comment.Text);
        }

        return writer.ToString();
    }

    /// <summary>The canonical text of an experiment on its own (no file-level comments).</summary>
    public static string Format(ExperimentSyntax experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var writer = new Writer();
        WriteExperiment(writer, experiment);
        return writer.ToString();
    }

    /// <summary>A value on one line, as the diff prints it.</summary>
    public static string FormatValueInline(ValueSyntax value) => Inline(value);

    /// <summary>An expectation without its keyword, one space around the comparison: <c>dpo.win_rate(oracle).TA &gt; 0.5</c>.</summary>
    public static string FormatExpectation(ExpectationSyntax expectation)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        var right = expectation.Right switch
        {
            MetricReferenceSyntax metric => metric.Text,
            ThresholdSyntax threshold => Inline(threshold.Literal),
            _ => throw new InvalidOperationException($"Unknown expectation operand {expectation.Right.GetType().Name}."),
        };
        return $"{expectation.Left.Text} {expectation.Comparison.Operator} {right}";
    }

    private static void WriteExperiment(Writer writer, ExperimentSyntax experiment)
    {
        var header = new StringBuilder(SyntaxKeywords.Experiment).Append(' ').Append(experiment.Name.Name);
        if (experiment.Extends is { } extends)
        {
            header.Append(' ').Append(SyntaxKeywords.Extends).Append(' ').Append(Quote(extends.Path.Value));
        }

        header.Append(" {");
        writer.Line(0, WithComment(header.ToString(), experiment.HeaderComment));
        MemberSyntax? previous = null;
        foreach (var member in experiment.Members)
        {
            if (previous is not null && (previous is StageSyntax || member is StageSyntax || (previous is ExpectationSyntax) != (member is ExpectationSyntax)))
            {
                writer.Blank();
            }

            WriteMember(writer, 1, member);
            previous = member;
        }

        if (!experiment.DanglingComments.IsEmpty && previous is not null)
        {
            writer.Blank();
        }

        foreach (var comment in experiment.DanglingComments)
        {
            writer.Line(1, comment.Text);
        }

        writer.Line(0, "}");
    }

    private static void WriteMember(Writer writer, int depth, MemberSyntax member)
    {
        foreach (var comment in member.LeadingComments)
        {
            writer.Line(depth, comment.Text);
        }

        switch (member)
        {
            case StageSyntax stage:
                var head = $"{stage.Role.Name} {stage.Name.Name} = {stage.Kind.Name}";
                WriteBody(writer, depth, head, stage.Properties, stage.HeaderComment, stage.DanglingComments, stage.TrailingComment);
                break;
            case PropertySyntax property:
                WriteAssignment(writer, depth, property.Name.Name, property.Value, property.TrailingComment);
                break;
            case OverrideSyntax @override:
                WriteAssignment(writer, depth, string.Join(".", @override.Target.Select(t => t.Name)), @override.Value, @override.TrailingComment);
                break;
            case ExpectationSyntax expectation:
                writer.Line(depth, WithComment(SyntaxKeywords.Expect + " " + FormatExpectation(expectation), expectation.TrailingComment));
                break;
            default:
                throw new InvalidOperationException($"Unknown member {member.GetType().Name}.");
        }
    }

    private static void WriteBody(Writer writer, int depth, string head, IReadOnlyList<PropertySyntax> properties, CommentSyntax? header, IReadOnlyList<CommentSyntax> dangling, CommentSyntax? trailing)
    {
        if (properties.Count == 0 && header is null && dangling.Count == 0)
        {
            writer.Line(depth, WithComment(head + " {}", trailing));
            return;
        }

        writer.Line(depth, WithComment(head + " {", header));
        foreach (var property in properties)
        {
            WriteMember(writer, depth + 1, property);
        }

        foreach (var comment in dangling)
        {
            writer.Line(depth + 1, comment.Text);
        }

        writer.Line(depth, WithComment("}", trailing));
    }

    private static void WriteAssignment(Writer writer, int depth, string name, ValueSyntax value, CommentSyntax? trailing)
    {
        var head = name + " = ";
        if (value is InlineStageSyntax inline && (HasComments(inline) || !Fits(depth, head + Inline(inline))))
        {
            WriteBody(writer, depth, head + inline.Kind.Name, inline.Properties, inline.HeaderComment, inline.DanglingComments, trailing);
            return;
        }

        WriteValue(writer, depth, head, value, string.Empty, trailing);
    }

    /// <summary>Writes <paramref name="head"/> + value + <paramref name="tail"/>, breaking lists and maps over lines when too long.</summary>
    private static void WriteValue(Writer writer, int depth, string head, ValueSyntax value, string tail, CommentSyntax? trailing)
    {
        var inline = head + Inline(value) + tail;
        if (Fits(depth, inline) || !IsBreakable(value))
        {
            writer.Line(depth, WithComment(inline, trailing));
            return;
        }

        switch (value)
        {
            case SweepSyntax sweep:
                WriteValue(writer, depth, head + SyntaxKeywords.Sweep + " ", sweep.Points, tail, trailing);
                break;
            case ListSyntax list:
                writer.Line(depth, head + "[");
                foreach (var item in list.Items)
                {
                    WriteValue(writer, depth + 1, string.Empty, item, ",", null);
                }

                writer.Line(depth, WithComment("]" + tail, trailing));
                break;
            case MapSyntax map:
                writer.Line(depth, head + "{");
                foreach (var entry in map.Entries)
                {
                    WriteValue(writer, depth + 1, entry.Key.Name + ": ", entry.Value, ",", null);
                }

                writer.Line(depth, WithComment("}" + tail, trailing));
                break;
            case InlineStageSyntax stage:
                writer.Line(depth, head + stage.Kind.Name + " {");
                foreach (var property in stage.Properties)
                {
                    WriteValue(writer, depth + 1, property.Name.Name + " = ", property.Value, ",", null);
                }

                writer.Line(depth, WithComment("}" + tail, trailing));
                break;
        }
    }

    private static bool IsBreakable(ValueSyntax value) => value switch
    {
        ListSyntax list => !list.Items.IsEmpty,
        MapSyntax map => !map.Entries.IsEmpty,
        SweepSyntax sweep => !sweep.Points.Items.IsEmpty,
        InlineStageSyntax stage => !stage.Properties.IsEmpty,
        _ => false,
    };

    // Trailing comments do not count, so that editing a comment never changes the layout of the code.
    private static bool Fits(int depth, string text) => (depth * Indent.Length) + text.Length <= MaxLineWidth;

    private static bool HasComments(InlineStageSyntax stage) =>
        stage.HeaderComment is not null || !stage.DanglingComments.IsEmpty ||
        stage.Properties.Any(p => !p.LeadingComments.IsEmpty || p.TrailingComment is not null || (p.Value is InlineStageSyntax inner && HasComments(inner)));

    private static string Inline(ValueSyntax value) => value switch
    {
        IntegerLiteralSyntax integer => integer.Text,
        RealLiteralSyntax real => real.Text,
        BooleanLiteralSyntax boolean => boolean.Value ? SyntaxKeywords.True : SyntaxKeywords.False,
        StringLiteralSyntax text => Quote(text.Value),
        ReferenceSyntax reference => reference.Dotted,
        ListSyntax list => "[" + string.Join(", ", list.Items.Select(Inline)) + "]",
        MapSyntax { Entries.IsEmpty: true } => "{}",
        MapSyntax map => "{ " + string.Join(", ", map.Entries.Select(e => e.Key.Name + ": " + Inline(e.Value))) + " }",
        CallSyntax call => call.Callee.Dotted + "(" + string.Join(", ", call.Arguments.Select(a => (a.Name is null ? string.Empty : a.Name.Name + ": ") + Inline(a.Value))) + ")",
        InlineStageSyntax { Properties.IsEmpty: true } stage => stage.Kind.Name + " {}",
        InlineStageSyntax stage => stage.Kind.Name + " { " + string.Join(", ", stage.Properties.Select(p => p.Name.Name + " = " + Inline(p.Value))) + " }",
        SweepSyntax sweep => SyntaxKeywords.Sweep + " " + Inline(sweep.Points),
        _ => throw new InvalidOperationException($"Unknown value {value.GetType().Name}."),
    };

    /// <summary>A string literal with the escapes the grammar reads back to the same value.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static string WithComment(string text, CommentSyntax? comment) => comment is null ? text : text + "  " + comment.Text;

    private sealed class Writer
    {
        private readonly StringBuilder builder = new();

        public void Line(int depth, string text)
        {
            for (var i = 0; i < depth; i++)
            {
                builder.Append(Indent);
            }

            builder.Append(text.TrimEnd()).Append('\n');
        }

        public void Blank() => builder.Append('\n');

        public override string ToString() => builder.ToString();
    }
}

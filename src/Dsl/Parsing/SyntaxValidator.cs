using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// Checks the grammar accepts on purpose so that it can give a precise message: role words, literals out of range
/// and invalid string escapes.
/// </summary>
internal static class SyntaxValidator
{
    public static List<Diagnostic> Validate(CompilationUnitSyntax root, string text)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var member in root.Experiment.Members)
        {
            switch (member)
            {
                case StageSyntax stage:
                    if (!SyntaxKeywords.IsRole(stage.Role.Name))
                    {
                        diagnostics.Add(DiagnosticBuilder.UnknownRole(stage.Role.Span, stage.Role.Name));
                    }

                    foreach (var property in stage.Properties)
                    {
                        ValidateValue(property.Value, text, diagnostics);
                    }

                    break;
                case PropertySyntax property:
                    ValidateValue(property.Value, text, diagnostics);
                    break;
                case OverrideSyntax @override:
                    ValidateValue(@override.Value, text, diagnostics);
                    break;
                case ExpectationSyntax { Right: ThresholdSyntax threshold }:
                    ValidateValue(threshold.Literal, text, diagnostics);
                    break;
            }
        }

        if (root.Experiment.Extends is { } extends)
        {
            ValidateValue(extends.Path, text, diagnostics);
        }

        return diagnostics;
    }

    public static List<Diagnostic> ValidateValue(ValueSyntax value, string text)
    {
        var diagnostics = new List<Diagnostic>();
        ValidateValue(value, text, diagnostics);
        return diagnostics;
    }

    private static void ValidateValue(ValueSyntax value, string text, List<Diagnostic> diagnostics)
    {
        // Values nest at most StructureScanner.MaxDepth deep, so recursion here is bounded.
        switch (value)
        {
            case IntegerLiteralSyntax integer when !long.TryParse(integer.Text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _):
                diagnostics.Add(DiagnosticBuilder.IntegerOutOfRange(integer.Span, integer.Text));
                break;
            case RealLiteralSyntax real when !double.IsFinite(real.Value):
                diagnostics.Add(DiagnosticBuilder.RealOutOfRange(real.Span, real.Text));
                break;
            case StringLiteralSyntax literal:
                ValidateEscapes(literal, text, diagnostics);
                break;
            case ListSyntax list:
                foreach (var item in list.Items)
                {
                    ValidateValue(item, text, diagnostics);
                }

                break;
            case MapSyntax map:
                foreach (var entry in map.Entries)
                {
                    ValidateValue(entry.Value, text, diagnostics);
                }

                break;
            case CallSyntax call:
                foreach (var argument in call.Arguments)
                {
                    ValidateValue(argument.Value, text, diagnostics);
                }

                break;
            case InlineStageSyntax inline:
                foreach (var property in inline.Properties)
                {
                    ValidateValue(property.Value, text, diagnostics);
                }

                break;
            case SweepSyntax sweep:
                ValidateValue(sweep.Points, text, diagnostics);
                break;
        }
    }

    private static void ValidateEscapes(StringLiteralSyntax literal, string text, List<Diagnostic> diagnostics)
    {
        var end = literal.Span.End - 1;
        for (var i = literal.Span.Start + 1; i < end; i++)
        {
            if (text[i] != '\\')
            {
                continue;
            }

            var next = text[i + 1];
            if (next is '"' or '\\' or 'n' or 'r' or 't')
            {
                i++;
            }
            else if (next == 'u' && PipelineGrammar.IsHex(text, i + 2, 4, end))
            {
                i += 5;
            }
            else
            {
                var length = next == 'u' ? Math.Min(6, end - i) : 2;
                diagnostics.Add(DiagnosticBuilder.InvalidEscape(new Text.TextSpan(i, length), text.Substring(i, length)));
                i++;
            }
        }
    }
}

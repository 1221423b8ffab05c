using System.Globalization;
using System.Text;
using Pipeline.Compiler.Binding;
using Pipeline.Dsl.Semantics;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// The canonical text of a bound value, the form stage hashes are computed over and <c>diff</c> prints: integers in
/// decimal, reals round-trip with a decimal point, strings quoted and escaped, maps by key, variants with every argument.
/// </summary>
public static class CanonicalValue
{
    public static string Format(BoundValue value)
    {
        var builder = new StringBuilder();
        Write(builder, value);
        return builder.ToString();
    }

    public static string Real(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-inf";
        }

        // The canonical form's spelling (what `pipeline fmt` writes): 1e-5, not 1e-05.
        return CanonicalForm.RealText(value);
    }

    /// <summary>A string literal in the language's own syntax: quotes, backslashes and control characters escaped.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u0085')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
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

    private static void Write(StringBuilder builder, BoundValue value)
    {
        switch (value)
        {
            case BoundInteger integer:
                builder.Append(integer.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case BoundReal real:
                builder.Append(Real(real.Value));
                break;
            case BoundBoolean boolean:
                builder.Append(boolean.Value ? "true" : "false");
                break;
            case BoundString text:
                builder.Append(text.IsWord ? text.Value : Quote(text.Value));
                break;
            case BoundList list:
                builder.Append('[');
                WriteJoined(builder, list.Items, Write);
                builder.Append(']');
                break;
            case BoundReferenceList list:
                builder.Append('[');
                WriteJoined(builder, list.Items, Write);
                builder.Append(']');
                break;
            case BoundMap map:
                builder.Append('{');
                WriteJoined(builder, map.Fields.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(), WriteField);
                builder.Append('}');
                break;
            case BoundVariant variant:
                if (variant.Case is null)
                {
                    Write(builder, variant.Plain!);
                    break;
                }

                builder.Append(variant.Case);
                if (variant.Arguments.Length > 0)
                {
                    builder.Append('(');
                    WriteJoined(builder, variant.Arguments, WriteField);
                    builder.Append(')');
                }

                break;
            case BoundReference reference:
                builder.Append(reference.Stage);
                foreach (var step in reference.Steps)
                {
                    builder.Append('.').Append(step.Member);
                    if (step.Arguments.Length > 0)
                    {
                        builder.Append('(');
                        WriteJoined(builder, step.Arguments, WriteField);
                        builder.Append(')');
                    }
                }

                break;
            default:
                throw new InvalidOperationException($"no canonical form for {value.GetType().Name}");
        }
    }

    private static void WriteField(StringBuilder builder, BoundField field)
    {
        builder.Append(field.Name).Append(": ");
        Write(builder, field.Value);
    }

    private static void WriteJoined<T>(StringBuilder builder, IReadOnlyList<T> items, Action<StringBuilder, T> write)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            write(builder, items[i]);
        }
    }
}

using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

internal sealed partial class Binder
{
    /// <summary>Checks a value against a catalogue type; null (after reporting) when it does not fit.</summary>
    private BoundValue? BindValue(ValueSyntax syntax, PropertyType type, object? fallback, Context context)
    {
        if (syntax is SweepSyntax nested)
        {
            Report(CompilerDiagnostics.SweepNotAllowed(nested.Span));
            return null;
        }

        if (syntax is InlineStageSyntax inline && type is not ReferenceType)
        {
            Report(CompilerDiagnostics.InlineStageNotAllowed(inline.Span, context.Property));
            return null;
        }

        switch (type)
        {
            case IntegerType integer:
                if (syntax is IntegerLiteralSyntax integerLiteral)
                {
                    if (integerLiteral.Value < integer.Min || integerLiteral.Value > integer.Max)
                    {
                        Report(CompilerDiagnostics.IntegerOutOfRange(syntax.Span, integerLiteral.Value, integer));
                        return null;
                    }

                    return new BoundInteger(syntax.Span, integerLiteral.Value);
                }

                return Mismatch(syntax, type);
            case RealType real:
                double? number = syntax switch
                {
                    RealLiteralSyntax r => r.Value,
                    IntegerLiteralSyntax i => i.Value,
                    _ => null,
                };
                if (number is null)
                {
                    return Mismatch(syntax, type);
                }

                if (!real.Contains(number.Value))
                {
                    Report(CompilerDiagnostics.RealOutOfRange(syntax.Span, number.Value, real));
                    return null;
                }

                return new BoundReal(syntax.Span, number.Value);
            case BooleanType:
                return syntax is BooleanLiteralSyntax boolean ? new BoundBoolean(syntax.Span, boolean.Value) : Mismatch(syntax, type);
            case StringType:
                return syntax is StringLiteralSyntax text ? new BoundString(syntax.Span, text.Value) : Mismatch(syntax, type);
            case PathType path:
                if (syntax is not StringLiteralSyntax pathLiteral)
                {
                    return Mismatch(syntax, type);
                }

                if (!path.Extensions.Any(e => pathLiteral.Value.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                {
                    Report(CompilerDiagnostics.DataFileWrongExtension(syntax.Span, pathLiteral.Value, path));
                    return null;
                }

                return new BoundString(syntax.Span, pathLiteral.Value, IsPath: true);
            case EnumType enumeration:
                if (syntax is ReferenceSyntax { Parts.Length: 1 } word)
                {
                    if (!enumeration.Values.Contains(word.Dotted))
                    {
                        Report(CompilerDiagnostics.UnknownWord(syntax.Span, word.Dotted, enumeration.Values));
                        return null;
                    }

                    return new BoundString(syntax.Span, word.Dotted, IsWord: true);
                }

                return Mismatch(syntax, type);
            case ListType list:
                return BindList(syntax, list, context);
            case RecordType record:
                return BindRecord(syntax, record, fallback as IReadOnlyDictionary<string, object>, context);
            case DictionaryType dictionary:
                return BindDictionary(syntax, dictionary, context);
            case ReferenceType reference:
                return BindReferenceProperty(syntax, reference, context);
            case ReferenceListType referenceList:
                return BindReferenceList(syntax, referenceList, context);
            case VariantType variant:
                return BindVariant(syntax, variant, context);
            case UnionType union:
                return BindUnion(syntax, union, context);
            default:
                throw new InvalidOperationException($"the binder does not know the type {type.GetType().Name}");
        }
    }

    private BoundValue? BindList(ValueSyntax syntax, ListType type, Context context)
    {
        if (syntax is not ListSyntax list)
        {
            return Mismatch(syntax, type);
        }

        var items = ImmutableArray.CreateBuilder<BoundValue>();
        var failed = false;
        foreach (var item in list.Items)
        {
            var value = BindValue(item, type.Element, null, context);
            if (value is null)
            {
                failed = true;
            }
            else
            {
                items.Add(value);
            }
        }

        if (list.Items.Length < type.MinCount || list.Items.Length > type.MaxCount)
        {
            Report(CompilerDiagnostics.WrongListCount(syntax.Span, list.Items.Length, type));
            return null;
        }

        if (type.Unique && !failed)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var key = Lowering.CanonicalValue.Format(items[i]);
                if (!seen.Add(key))
                {
                    Report(CompilerDiagnostics.DuplicateListItem(items[i].Span, key));
                    failed = true;
                }
            }
        }

        return failed ? null : new BoundList(syntax.Span, items.ToImmutable());
    }

    private BoundValue? BindRecord(ValueSyntax syntax, RecordType type, IReadOnlyDictionary<string, object>? recordDefault, Context context)
    {
        if (syntax is not MapSyntax map)
        {
            return Mismatch(syntax, type);
        }

        var written = new Dictionary<string, BoundValue>(StringComparer.Ordinal);
        var failed = false;
        var outer = currentPath;
        foreach (var entry in map.Entries)
        {
            // An entry set by an override (extends or --set) is reported in the source it was written in.
            currentPath = origins.TryGetValue(entry, out var origin) ? origin : outer;
            var field = type.Fields.FirstOrDefault(f => f.Name == entry.Key.Name);
            if (field is null)
            {
                Report(CompilerDiagnostics.UnknownField(entry.Key.Span, entry.Key.Name, type.Fields.Select(f => f.Name)));
                failed = true;
                continue;
            }

            if (written.ContainsKey(field.Name))
            {
                Report(CompilerDiagnostics.DuplicateProperty(entry.Key.Span, field.Name));
                failed = true;
                continue;
            }

            var value = entry.Value is SweepSyntax sweep && context.Stage is not null
                ? BindSweep(sweep, field.Type, field.Default, context with { Property = field.Name }, $"{context.Stage.Name}.{context.Property}.{field.Name}")
                : BindValue(entry.Value, field.Type, field.Default, context with { Property = field.Name });
            if (value is null)
            {
                failed = true;
            }
            else
            {
                written[field.Name] = value;
            }
        }

        currentPath = outer;
        var fields = ImmutableArray.CreateBuilder<BoundField>();
        foreach (var field in type.Fields)
        {
            if (written.TryGetValue(field.Name, out var value))
            {
                fields.Add(new BoundField(field.Name, value));
            }
            else if (recordDefault is not null && recordDefault.TryGetValue(field.Name, out var fromRecord))
            {
                fields.Add(new BoundField(field.Name, FromClr(fromRecord, field.Type, syntax.Span)));
            }
            else if (field.Default is not null)
            {
                fields.Add(new BoundField(field.Name, FromClr(field.Default, field.Type, syntax.Span)));
            }
            else if (field.Required && !failed)
            {
                Report(CompilerDiagnostics.MissingProperty(syntax.Span, field.Name, context.Property, field.Type.Describe()));
                failed = true;
            }
        }

        return failed ? null : new BoundMap(syntax.Span, fields.ToImmutable(), true);
    }

    private BoundValue? BindDictionary(ValueSyntax syntax, DictionaryType type, Context context)
    {
        if (syntax is not MapSyntax map)
        {
            return Mismatch(syntax, type);
        }

        var fields = new SortedDictionary<string, BoundValue>(StringComparer.Ordinal);
        var failed = false;
        var outer = currentPath;
        foreach (var entry in map.Entries)
        {
            currentPath = origins.TryGetValue(entry, out var origin) ? origin : outer;
            if (!type.Keys.Values.Contains(entry.Key.Name))
            {
                Report(CompilerDiagnostics.UnknownField(entry.Key.Span, entry.Key.Name, type.Keys.Values));
                failed = true;
                continue;
            }

            if (fields.ContainsKey(entry.Key.Name))
            {
                Report(CompilerDiagnostics.DuplicateProperty(entry.Key.Span, entry.Key.Name));
                failed = true;
                continue;
            }

            var value = entry.Value is SweepSyntax sweep && context.Stage is not null
                ? BindSweep(sweep, type.Value, null, context, $"{context.Stage.Name}.{context.Property}.{entry.Key.Name}")
                : BindValue(entry.Value, type.Value, null, context);
            if (value is null)
            {
                failed = true;
            }
            else
            {
                fields[entry.Key.Name] = value;
            }
        }

        currentPath = outer;
        return failed ? null : new BoundMap(syntax.Span, fields.Select(p => new BoundField(p.Key, p.Value)).ToImmutableArray(), false);
    }

    private BoundValue? BindVariant(ValueSyntax syntax, VariantType type, Context context)
    {
        string? name;
        ImmutableArray<ArgumentSyntax> arguments;
        switch (syntax)
        {
            case ReferenceSyntax { Parts.Length: 1 } word:
                name = word.Dotted;
                arguments = ImmutableArray<ArgumentSyntax>.Empty;
                break;
            case CallSyntax { Callee.Parts.Length: 1 } call:
                name = call.Callee.Dotted;
                arguments = call.Arguments;
                break;
            default:
                var plain = type.Cases.FirstOrDefault(c => c.Name is null);
                if (plain is null)
                {
                    return Mismatch(syntax, type);
                }

                var value = BindValue(syntax, plain.PlainValue!, null, context);
                return value is null ? null : BoundVariant.OfPlain(value);
        }

        var named = type.Cases.Where(c => c.Name is not null).Select(c => c.Name!).ToArray();
        var @case = type.Cases.FirstOrDefault(c => c.Name == name);
        if (@case is null)
        {
            Report(CompilerDiagnostics.UnknownWord(syntax.Span, name, named));
            return null;
        }

        if (@case.Parameters.Count == 0 && syntax is CallSyntax)
        {
            Report(CompilerDiagnostics.NotCallable(syntax.Span, name));
            return null;
        }

        var bound = BindArguments(syntax.Span, name, @case.Parameters, arguments, context);
        return bound is null ? null : new BoundVariant(syntax.Span, name, bound.Value);
    }

    /// <summary>Binds call arguments (named or positional) to parameters, filling defaults; null when one is wrong.</summary>
    private ImmutableArray<BoundField>? BindArguments(TextSpan span, string callee, IReadOnlyList<PropertyDefinition> parameters, ImmutableArray<ArgumentSyntax> arguments, Context context)
    {
        var values = new Dictionary<string, BoundValue>(StringComparer.Ordinal);
        var failed = false;
        for (var i = 0; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            PropertyDefinition? parameter;
            if (argument.Name is null)
            {
                if (i >= parameters.Count)
                {
                    Report(CompilerDiagnostics.TooManyArguments(argument.Span, callee, parameters.Count));
                    failed = true;
                    continue;
                }

                parameter = parameters[i];
            }
            else
            {
                parameter = parameters.FirstOrDefault(p => p.Name == argument.Name.Name);
                if (parameter is null)
                {
                    Report(CompilerDiagnostics.UnknownArgument(argument.Name.Span, argument.Name.Name, callee, parameters.Select(p => p.Name)));
                    failed = true;
                    continue;
                }
            }

            if (values.ContainsKey(parameter.Name))
            {
                Report(CompilerDiagnostics.DuplicateProperty(argument.Span, parameter.Name));
                failed = true;
                continue;
            }

            var value = BindValue(argument.Value, parameter.Type, parameter.Default, context with { Property = parameter.Name });
            if (value is null)
            {
                failed = true;
            }
            else
            {
                values[parameter.Name] = value;
            }
        }

        var fields = ImmutableArray.CreateBuilder<BoundField>();
        foreach (var parameter in parameters)
        {
            if (values.TryGetValue(parameter.Name, out var value))
            {
                fields.Add(new BoundField(parameter.Name, value));
            }
            else if (parameter.Default is not null)
            {
                fields.Add(new BoundField(parameter.Name, FromClr(parameter.Default, parameter.Type, span)));
            }
            else if (parameter.Required && !failed)
            {
                Report(CompilerDiagnostics.MissingArgument(span, parameter.Name, callee));
                failed = true;
            }
        }

        return failed ? null : fields.ToImmutable();
    }

    private BoundValue? BindUnion(ValueSyntax syntax, UnionType type, Context context)
    {
        List<Diagnostic>? firstAttempt = null;
        foreach (var alternative in type.Alternatives)
        {
            var saved = diagnostics.Count;
            var value = BindValue(syntax, alternative, null, context);
            var attempt = diagnostics.Skip(saved).ToList();
            diagnostics.RemoveRange(saved, diagnostics.Count - saved);
            if (value is not null && attempt.All(d => !d.IsError))
            {
                diagnostics.AddRange(attempt);
                return value;
            }

            // Prefer the diagnostics of the first alternative that the value's form fits (not a plain type mismatch).
            if (firstAttempt is null && attempt.Any(d => d.Code != CompilerDiagnostics.TypeMismatchCode))
            {
                firstAttempt = attempt;
            }
        }

        // A union read as a whole (device: auto | cpu | cuda | "cuda:N") is named whole: its enum's complaint alone
        // ("write one of auto, cpu, cuda (did you mean 'cpu'?)" for gpu) hid the "cuda:N" form.
        if (firstAttempt is not null && type.Summary is null)
        {
            diagnostics.AddRange(firstAttempt);
            return null;
        }

        return Mismatch(syntax, type);
    }

    private BoundValue? Mismatch(ValueSyntax syntax, PropertyType type)
    {
        Report(CompilerDiagnostics.TypeMismatch(syntax.Span, type, Describe(syntax)));
        return null;
    }

    internal static string Describe(ValueSyntax syntax) => syntax switch
    {
        IntegerLiteralSyntax i => $"the integer {i.Text}",
        RealLiteralSyntax r => $"the number {r.Text}",
        BooleanLiteralSyntax b => b.Value ? "true" : "false",
        StringLiteralSyntax => "a string",
        ReferenceSyntax r => $"'{r.Dotted}'",
        ListSyntax => "a list",
        MapSyntax => "a map",
        CallSyntax c => $"a call of '{c.Callee.Dotted}'",
        InlineStageSyntax s => $"an inline '{s.Kind.Name}' stage",
        SweepSyntax => "a sweep",
        _ => "this value",
    };
}

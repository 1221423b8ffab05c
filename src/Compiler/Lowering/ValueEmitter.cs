using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipeline.Compiler.Binding;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// C# expressions for bound values, typed by the options property they are assigned to. User values enter only as
/// literals made by Roslyn (<see cref="SymbolDisplay.FormatLiteral(string, bool)"/>, <see cref="SyntaxFactory.Literal(double)"/>);
/// names only as catalogue names or type names Roslyn displays. Nothing from a file can change the program's shape.
/// </summary>
internal sealed class ValueEmitter(Microsoft.CodeAnalysis.Compilation references)
{
    /// <summary>The namespace of the runtime's stage kinds: kind <c>flow_dpo</c> is in <c>Pipeline.Runtime.Kinds.FlowDpo</c>.</summary>
    public const string KindsNamespace = "Pipeline.Runtime.Kinds";
    private const string ReferenceStep = "global::Pipeline.Runtime.Execution.ReferenceStep";
    private const string ReferenceArgument = "global::Pipeline.Runtime.Execution.ReferenceArgument";
    private const string Dictionary = "global::System.Collections.Generic.Dictionary";
    private const string Ordinal = "global::System.StringComparer.Ordinal";

    private ITypeSymbol ObjectType => references.GetSpecialType(SpecialType.System_Object);

    public static string Type(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    public static string Integer(int value) => Literal(value).Text;

    public static string Long(long value) => Literal(value.ToString(CultureInfo.InvariantCulture) + "L", value).Text;

    public static string Double(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "double.PositiveInfinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "double.NegativeInfinity";
        }

        return Literal(value.ToString("R", CultureInfo.InvariantCulture) + "d", value).Text;
    }

    /// <summary>A public settable or readable property by name, searching base types.</summary>
    public static IPropertySymbol? FindProperty(ITypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault(p => p.DeclaredAccessibility == Accessibility.Public) is { } property)
            {
                return property;
            }
        }

        return null;
    }

    public string Expression(BoundValue value, ITypeSymbol target)
    {
        target = Unwrap(target);
        switch (value)
        {
            case BoundReference reference:
                return Reference(reference, target);
            case BoundReferenceList list:
                var referenceElement = ElementType(target);
                return $"new {Type(referenceElement)}[] {{ {string.Join(", ", list.Items.Select(i => Reference(i, referenceElement)))} }}";
            case BoundInteger integer:
                return target.SpecialType switch
                {
                    SpecialType.System_Int32 when integer.Value is >= int.MinValue and <= int.MaxValue => Integer((int)integer.Value),
                    SpecialType.System_Double => Double(integer.Value),
                    _ => Long(integer.Value),
                };
            case BoundReal real:
                return Double(real.Value);
            case BoundBoolean boolean:
                return boolean.Value ? "true" : "false";
            case BoundString text:
                return String(text.Value);
            case BoundList list:
                var element = ElementType(target);
                return $"new {Type(element)}[] {{ {string.Join(", ", list.Items.Select(i => Expression(i, element)))} }}";
            case BoundMap { IsRecord: true } record:
                return $"new {Type(target)} {{ {string.Join(", ", record.Fields.Select(f => RecordField(target, f)))} }}";
            case BoundMap dictionary:
                var valueType = target is INamedTypeSymbol { TypeArguments.Length: 2 } named ? named.TypeArguments[1] : ObjectType;
                return $"new {Dictionary}<string, {Type(valueType)}>({Ordinal}) {{ {string.Join(", ", dictionary.Fields.Select(f => $"[{String(f.Name)}] = {Expression(f.Value, valueType)}"))} }}";
            case BoundVariant variant:
                return $"new global::Pipeline.Catalog.VariantValue({(variant.Case is null ? "null" : String(variant.Case))}, new {Dictionary}<string, object>({Ordinal}) {{ {string.Join(", ", variant.Arguments.Select(a => $"[{String(a.Name)}] = {Argument(a.Value)}"))} }})";
            default:
                throw new InvalidOperationException($"no C# form for {value.GetType().Name}");
        }
    }

    private string RecordField(ITypeSymbol recordType, BoundField field)
    {
        var name = Binding.NamesOf.Pascal(field.Name);
        var property = FindProperty(recordType, name) ?? throw new MissingRuntimeMemberException(field.Name);
        return $"{name} = {Expression(field.Value, property.Type)}";
    }

    /// <summary>A call argument or variant argument: a boxed literal, or an upstream artifact for a stage reference.</summary>
    private string Argument(BoundValue value) => value switch
    {
        BoundReference reference => Reference(reference, ObjectType),
        BoundList list => $"new object[] {{ {string.Join(", ", list.Items.Select(Argument))} }}",
        _ => Expression(value, ObjectType),
    };

    private string Reference(BoundReference reference, ITypeSymbol target)
    {
        var type = Type(target.IsReferenceType ? target : ObjectType);
        if (reference.Steps.IsEmpty)
        {
            return $"context.Input<{type}>({String(reference.Stage)})";
        }

        var steps = reference.Steps.Select(s => s.Arguments.IsEmpty
            ? $"new {ReferenceStep}({String(s.Member)})"
            : $"new {ReferenceStep}({String(s.Member)}, {string.Join(", ", s.Arguments.Select(a => $"new {ReferenceArgument}({String(a.Name)}, {Argument(a.Value)})"))})");
        return $"context.Reference<{type}>({String(reference.Stage)}, {string.Join(", ", steps)})";
    }

    private ITypeSymbol ElementType(ITypeSymbol target) => target switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named => named.TypeArguments[0],
        _ => ObjectType,
    };

    private static ITypeSymbol Unwrap(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;
}

/// <summary>The runtime's options class lacks a member the catalogue has; becomes PIPE3002 at the property.</summary>
internal sealed class MissingRuntimeMemberException(string member) : Exception(member)
{
    public string Member { get; } = member;
}

using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipeline.Catalog;
using Pipeline.Compiler.Binding;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// Typed C# expressions for bound values, each of the runtime type its options property, record field or parameter
/// has (found with Roslyn in the reference assemblies): an enum word is the enum's member, a variant the static member
/// of its case (<c>RewardLoss.Btt(theta: 5.0)</c>) or its plain value, which converts implicitly (<c>DpoBeta</c> from
/// <c>500.0</c>), a record a new object with every field, a map every key (a key left out has the catalogue's value),
/// and a reference a typed call on the stage's artifact (<c>context.Input&lt;World&gt;("world").Pairs(count: 300)</c>).
/// User values enter only as literals made by Roslyn (<see cref="SymbolDisplay.FormatLiteral(string, bool)"/>,
/// <see cref="SyntaxFactory.Literal(double)"/>); names only as catalogue names or type and member names Roslyn
/// displays. Nothing from a file can change the program's shape.
/// </summary>
internal sealed class ValueEmitter(Microsoft.CodeAnalysis.Compilation references, Binding.SemanticModel model)
{
    /// <summary>The namespace of the runtime's stage kinds: kind <c>flow_dpo</c> is in <c>Pipeline.Runtime.Kinds.FlowDpo</c>.</summary>
    public const string KindsNamespace = "Pipeline.Runtime.Kinds";
    private const string Dictionary = "global::System.Collections.Generic.Dictionary";
    private const string Ordinal = "global::System.StringComparer.Ordinal";

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

    /// <summary>A public property by name, searching base types.</summary>
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

    /// <summary>The runtime type the catalogue names, looked up in the reference assemblies; null when the runtime lacks it.</summary>
    public ITypeSymbol? Resolve(RuntimeType type)
    {
        if (references.GetTypeByMetadataName(type.MetadataName) is not { } named)
        {
            return null;
        }

        if (type.Arguments.Count == 0)
        {
            return named;
        }

        var arguments = type.Arguments.Select(Resolve).ToArray();
        return arguments.Any(a => a is null) || named.Arity != arguments.Length ? null : named.Construct(arguments!);
    }

    /// <summary>Whether a runtime type is the one the catalogue names: equal types, a nullable value type's underlying type, nullability aside.</summary>
    public static bool SameType(ITypeSymbol actual, ITypeSymbol expected) =>
        SymbolEqualityComparer.Default.Equals(Unwrap(actual), expected);

    /// <summary>A value of catalogue type <paramref name="type"/> as a C# expression of <paramref name="target"/>.</summary>
    /// <exception cref="MissingRuntimeMemberException">The runtime lacks a member the value needs (an enum member, a case, a member of an artifact).</exception>
    public string Expression(BoundValue value, PropertyType type, ITypeSymbol target)
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
            case BoundString { IsWord: true } word when target.TypeKind == TypeKind.Enum:
                return EnumMember(target, word.Value);
            case BoundString text:
                return String(text.Value);
            case BoundList list:
                var element = ElementType(target);
                var elementType = type is ListType listType ? listType.Element : type;
                return $"new {Type(element)}[] {{ {string.Join(", ", list.Items.Select(i => Expression(i, elementType, element)))} }}";
            case BoundMap { IsRecord: true } record:
                var fields = ((RecordType)type).Fields;
                return $"new {Type(target)} {{ {string.Join(", ", record.Fields.Select(f => RecordField(target, fields.First(d => d.Name == f.Name), f.Value)))} }}";
            case BoundMap map:
                return Map(map, (DictionaryType)type, target);
            case BoundVariant variant:
                return Variant(variant, (VariantType)type, target);
            default:
                throw new InvalidOperationException($"no C# form for {value.GetType().Name}");
        }
    }

    private string RecordField(ITypeSymbol recordType, PropertyDefinition field, BoundValue value)
    {
        var name = NamesOf.Pascal(field.Name);
        var property = FindProperty(recordType, name) ?? throw new MissingRuntimeMemberException(field.Name);
        return $"{name} = {Expression(value, field.Type, property.Type)}";
    }

    /// <summary>Every key of the map's enum, in the enum's order: a key the file leaves out has the catalogue's value for it.</summary>
    private string Map(BoundMap map, DictionaryType type, ITypeSymbol target)
    {
        var valueType = target is INamedTypeSymbol { TypeArguments.Length: 2 } named ? named.TypeArguments[1] : throw new MissingRuntimeMemberException("a map");
        var omitted = Binder.FromClr(type.Omitted, type.Value, map.Span);
        var entries = type.Keys.Values.Select(key => $"[{String(key)}] = {Expression(map.Find(key) ?? omitted, type.Value, valueType)}");
        return $"new {Dictionary}<string, {Type(valueType)}>({Ordinal}) {{ {string.Join(", ", entries)} }}";
    }

    /// <summary>
    /// A variant: the plain value as it is (the runtime type converts it implicitly), a bare word as the type's static
    /// property of its name, a call as its static method with the arguments by name.
    /// </summary>
    private string Variant(BoundVariant variant, VariantType type, ITypeSymbol target)
    {
        var @case = type.Cases.First(c => c.Name == variant.Case);
        if (variant.Case is null)
        {
            var plain = Expression(variant.Plain!, @case.PlainValue!, PlainType(@case.PlainValue!));
            return references.ClassifyCommonConversion(PlainType(@case.PlainValue!), target).IsImplicit
                ? plain
                : throw new MissingRuntimeMemberException($"an implicit conversion to {target.Name}");
        }

        var name = NamesOf.Pascal(variant.Case);
        if (variant.Arguments.IsEmpty && target.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault(p => p.IsStatic) is not null)
        {
            return $"{Type(target)}.{name}";
        }

        var method = target.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public)
            ?? throw new MissingRuntimeMemberException($"{target.Name}.{name}");
        return $"{Type(target)}.{name}({Arguments(method, variant.Arguments, @case.Parameters)})";
    }

    /// <summary>Named arguments for <paramref name="method"/>, each typed by its parameter: <c>theta: 5d</c>.</summary>
    private string Arguments(IMethodSymbol method, IReadOnlyList<BoundField> arguments, IReadOnlyList<PropertyDefinition> parameters) =>
        string.Join(", ", arguments.Select(argument =>
        {
            var name = CatalogNames.CamelCase(argument.Name);
            var parameter = method.Parameters.FirstOrDefault(p => p.Name == name) ?? throw new MissingRuntimeMemberException($"{method.Name}({name})");
            var definition = parameters.First(p => p.Name == argument.Name);
            return $"{name}: {Expression(argument.Value, definition.Type, parameter.Type)}";
        }));

    /// <summary>
    /// A reference as a typed call: the stage's artifact, of the runtime type its kind produces, then each member (a
    /// property, or a method called with the arguments by name). The result converts to the target implicitly
    /// (a preference_pairs stage to its pairs, a pair source to a <c>preference_pairs</c> source).
    /// </summary>
    private string Reference(BoundReference reference, ITypeSymbol target)
    {
        var stage = model.FindStage(reference.Stage) ?? throw new InvalidOperationException($"no stage '{reference.Stage}'");
        var current = Resolve(stage.Kind.Artifact) ?? throw new MissingRuntimeMemberException(stage.Kind.Artifact.ToString());
        var expression = $"context.Input<{Type(current)}>({String(reference.Stage)})";
        var owner = stage.Kind.Produces;
        foreach (var step in reference.Steps)
        {
            var member = StageCatalog.FindMember(owner, step.Member)!;
            var name = NamesOf.Pascal(step.Member);
            if (step.Arguments.IsEmpty && FindProperty(current, name) is { } property)
            {
                expression += "." + name;
                current = property.Type;
            }
            else
            {
                var method = Methods(current, name).FirstOrDefault() ?? throw new MissingRuntimeMemberException($"{current.Name}.{name}");
                expression += $".{name}({Arguments(method, step.Arguments, member.Parameters)})";
                current = method.ReturnType;
            }

            owner = member.Result;
        }

        return references.ClassifyCommonConversion(current, target).IsImplicit
            ? expression
            : throw new MissingRuntimeMemberException($"a conversion from {current.Name} to {target.Name} for '{reference.Dotted}'");
    }

    private static IEnumerable<IMethodSymbol> Methods(ITypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var method in current.GetMembers(name).OfType<IMethodSymbol>().Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public))
            {
                yield return method;
            }
        }
    }

    private static string EnumMember(ITypeSymbol type, string word)
    {
        var name = NamesOf.Pascal(word);
        return type.GetMembers(name).OfType<IFieldSymbol>().Any(f => f.IsConst)
            ? $"{Type(type)}.{name}"
            : throw new MissingRuntimeMemberException($"{type.Name}.{name}");
    }

    /// <summary>The C# type a plain variant value is written as before it converts: a number is a double, a word a string.</summary>
    private ITypeSymbol PlainType(PropertyType type) => references.GetSpecialType(type switch
    {
        IntegerType => SpecialType.System_Int32,
        RealType => SpecialType.System_Double,
        BooleanType => SpecialType.System_Boolean,
        _ => SpecialType.System_String,
    });

    private static ITypeSymbol ElementType(ITypeSymbol target) => target switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named => named.TypeArguments[0],
        _ => throw new MissingRuntimeMemberException($"a list type for {target.Name}"),
    };

    private static ITypeSymbol Unwrap(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;
}

/// <summary>The runtime lacks a member or type the catalogue's value needs; becomes PIPE3002 at the property.</summary>
internal sealed class MissingRuntimeMemberException(string member) : Exception(member)
{
    public string Member { get; } = member;
}

using System.Globalization;
using System.Reflection;
using Pipeline.Catalog;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Runtime.Tests.Stages;

/// <summary>
/// A kind's options with every catalogue default, as the generated code of an experiment that writes none of them
/// would set them; a test then changes what it needs with <c>with { … }</c>. The runtime holds no defaults (the
/// compiler emits them from the catalogue), so the tests read them here, by reflection, converting each catalogue
/// value to the options property's type the way the compiler's emission does.
/// </summary>
internal static class KindDefaults
{
    /// <summary>The options of the kind whose options class is <typeparamref name="T"/> (<c>FlowDpoOptions</c> → <c>flow_dpo</c>).</summary>
    public static T Of<T>()
        where T : StageOptions
    {
        var kindName = CatalogNames.SnakeCase(typeof(T).Name[..^"Options".Length]);
        var kind = StageCatalog.FindKind(kindName) ?? throw new InvalidOperationException($"no catalogue kind '{kindName}' for {typeof(T).Name}");
        var options = (T)Activator.CreateInstance(typeof(T))!;
        Fill(options, kind.Properties);
        return options;
    }

    private static void Fill(object target, IEnumerable<PropertyDefinition> properties)
    {
        foreach (var property in properties)
        {
            var member = target.GetType().GetProperty(CatalogNames.PascalCase(property.Name))
                ?? throw new InvalidOperationException($"{target.GetType().Name} has no property for '{property.Name}'");
            // A required record (flow_generator's pretrain) exists with its fields' defaults, as the file's fields fill it.
            var written = property.Default ?? (property is { Required: true, Type: RecordType } ? new Dictionary<string, object>() : null);
            if (Value(written, property.Type, member.PropertyType) is { } value)
            {
                member.SetValue(target, value);
            }
        }
    }

    private static object? Value(object? value, PropertyType type, Type target)
    {
        target = Nullable.GetUnderlyingType(target) ?? target;
        switch (value)
        {
            case null:
                return null;
            case VariantValue variant:
                return Variant(variant, target);
            case IReadOnlyDictionary<string, object> map when type is RecordType record:
                var instance = Activator.CreateInstance(target)!;
                Fill(instance, record.Fields.Select(f => f with { Default = map.TryGetValue(f.Name, out var v) ? v : f.Default }));
                return instance;
            case IReadOnlyDictionary<string, object> map when type is DictionaryType dictionary:
                return dictionary.Keys.Values.ToDictionary(k => k, k => Convert.ToDouble(map.TryGetValue(k, out var v) ? v : dictionary.Omitted, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            case IReadOnlyList<object> list:
                var element = target.IsArray ? target.GetElementType()! : target.GetGenericArguments()[0];
                var array = Array.CreateInstance(element, list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    array.SetValue(Value(list[i], ((ListType)type).Element, element), i);
                }

                return array;
            case string word when target.IsEnum:
                return Enum.Parse(target, CatalogNames.PascalCase(word));
            default:
                return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A plain value through the type's implicit conversion, a bare word as its static property, a call as its static method.</summary>
    private static object Variant(VariantValue variant, Type target)
    {
        if (variant.Case is null)
        {
            var implicitOperator = target.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == "op_Implicit" && m.ReturnType == target);
            return implicitOperator.Invoke(null, [Convert.ChangeType(variant.Plain, implicitOperator.GetParameters()[0].ParameterType, CultureInfo.InvariantCulture)])!;
        }

        var name = CatalogNames.PascalCase(variant.Case);
        if (variant.Arguments.Count == 0 && target.GetProperty(name, BindingFlags.Public | BindingFlags.Static) is { } property)
        {
            return property.GetValue(null)!;
        }

        var method = target.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
        var arguments = method.GetParameters().Select(p => Convert.ChangeType(variant.Arguments[CatalogNames.SnakeCase(p.Name!)], p.ParameterType, CultureInfo.InvariantCulture)).ToArray();
        return method.Invoke(null, arguments)!;
    }
}

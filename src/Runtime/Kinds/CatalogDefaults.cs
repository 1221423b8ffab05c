using System.Globalization;
using System.Reflection;
using PropertyDefinition = Pipeline.Catalog.PropertyDefinition;
using Pipeline.Catalog;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// Fills an options object with the catalogue's defaults. Options properties are the PascalCase form of the
/// catalogue's snake_case names (<c>cfg_dropout</c> → <c>CfgDropout</c>); defaults are written only in the catalogue.
/// </summary>
public static class CatalogDefaults
{
    public static void Apply(object target, IReadOnlyList<PropertyDefinition> properties)
    {
        foreach (var property in properties)
        {
            var member = target.GetType().GetProperty(CatalogNames.PascalCase(property.Name), BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{target.GetType().Name} has no property for catalogue entry '{property.Name}'");
            if (property.Type is RecordType record && (property.Required || property.Default is not null) && typeof(RecordOptions).IsAssignableFrom(member.PropertyType))
            {
                // Records always exist so their fields carry defaults; a record default overrides field defaults.
                var nested = member.GetValue(target) ?? Activator.CreateInstance(member.PropertyType)!;
                Apply(nested, record.Fields);
                if (property.Default is IReadOnlyDictionary<string, object> map)
                {
                    foreach (var (key, value) in map)
                    {
                        var field = nested.GetType().GetProperty(CatalogNames.PascalCase(key))!;
                        field.SetValue(nested, Convert(value, field.PropertyType));
                    }
                }

                member.SetValue(target, nested);
                continue;
            }

            if (property.Default is not null)
            {
                member.SetValue(target, Convert(property.Default, member.PropertyType));
            }
        }
    }

    /// <summary>Converts a catalogue value (long, double, bool, string, list, map, variant) to an options property's type.</summary>
    public static object? Convert(object value, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (value)
        {
            case long integer when type == typeof(int):
                return checked((int)integer);
            case long integer when type == typeof(double):
                return (double)integer;
            case IReadOnlyList<object> list when type.IsArray:
                var element = type.GetElementType()!;
                var array = Array.CreateInstance(element, list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    array.SetValue(Convert(list[i], element), i);
                }

                return array;
            case IReadOnlyDictionary<string, object> map when type == typeof(IReadOnlyDictionary<string, double>):
                return map.ToDictionary(p => p.Key, p => System.Convert.ToDouble(p.Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            default:
                return type.IsInstanceOfType(value) ? value : System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>Base of every stage kind's options class: its constructor fills the catalogue's defaults.</summary>
public abstract class StageOptions
{
    protected StageOptions(string kind)
    {
        Kind = StageCatalog.FindKind(kind) ?? throw new InvalidOperationException($"no catalogue entry for kind '{kind}'");
        CatalogDefaults.Apply(this, Kind.Properties);
    }

    /// <summary>The catalogue entry these options belong to.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public StageKind Kind { get; }
}

/// <summary>Base of the options classes for record-valued properties (<c>pretrain = { ... }</c>, <c>lora = { ... }</c>).</summary>
public abstract class RecordOptions
{
}

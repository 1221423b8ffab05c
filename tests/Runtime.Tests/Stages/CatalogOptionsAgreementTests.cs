using System.Reflection;
using Pipeline.Catalog;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Runtime.Tests.Stages;

/// <summary>
/// The catalogue and the Runtime's options must describe the same properties: every options property has a
/// catalogue entry and every catalogue entry an options property, recursively through record-valued properties.
/// </summary>
public sealed class CatalogOptionsAgreementTests
{
    [Fact]
    public void The_runtimes_preference_dimensions_are_the_catalogues_dimension_list()
    {
        Assert.Equal(DimensionNames.All, Enum.GetNames<Pipeline.Runtime.Data.PreferenceDimension>());
    }

    public static TheoryData<string> ImplementedKinds()
    {
        var data = new TheoryData<string>();
        foreach (var kind in StageCatalog.Kinds.Where(k => OptionsType(k) is not null))
        {
            data.Add(kind.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ImplementedKinds))]
    public void Options_and_catalogue_list_the_same_properties(string kindName)
    {
        var kind = StageCatalog.FindKind(kindName)!;
        AssertSameProperties(OptionsType(kind)!, kind.Properties, kindName);
    }

    [Theory]
    [MemberData(nameof(ImplementedKinds))]
    public void Each_implemented_kind_has_a_stage_entry_point(string kindName)
    {
        var kind = StageCatalog.FindKind(kindName)!;
        var stage = typeof(StageOptions).Assembly.GetType($"Pipeline.Runtime.Kinds.{CatalogNames.PascalCase(kind.Name)}.{CatalogNames.PascalCase(kind.Name)}Stage");
        Assert.NotNull(stage);
        // The stage takes its options, or (a kind that trains with an ML.NET estimator) the estimator that its MLContext
        // catalog makes from them: mlContext.Alignment().FlowDpo(options).
        var options = OptionsType(kind)!;
        var run = Assert.Single(stage!.GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name == "Run");
        Assert.Equal(typeof(StageOutput), run.ReturnType);
        Assert.Equal([typeof(StageContext), typeof(string)], run.GetParameters().Take(2).Select(p => p.ParameterType));
        var taken = run.GetParameters()[2].ParameterType;
        if (taken != options)
        {
            var make = typeof(StageOptions).Assembly.GetTypes().Where(t => t.IsAbstract && t.IsSealed)
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Where(m => m.Name == CatalogNames.PascalCase(kind.Name) && m.ReturnType == taken && m.GetParameters().Select(p => p.ParameterType).Last() == options);
            Assert.Single(make);
            Assert.Equal(options, taken.GetProperty("Options")?.PropertyType);
        }
    }

    [Theory]
    [MemberData(nameof(ImplementedKinds))]
    public void A_property_that_always_has_a_value_is_required_and_one_that_may_be_absent_is_nullable(string kindName)
    {
        // The generated code sets every property the catalogue gives a value (defaults included), so the C# compiler
        // refuses options that lack one; a placeholder initializer or a "required; the compiler checks it" re-check
        // at run time has nothing left to do.
        var kind = StageCatalog.FindKind(kindName)!;
        var options = OptionsType(kind)!;
        var nullability = new NullabilityInfoContext();
        foreach (var property in kind.Properties)
        {
            var member = options.GetProperty(CatalogNames.PascalCase(property.Name))!;
            var required = member.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");
            var nullable = Nullable.GetUnderlyingType(member.PropertyType) is not null || nullability.Create(member).WriteState == NullabilityState.Nullable;
            var alwaysSet = property.Required || property.Default is not null;
            Assert.True(alwaysSet ? required && !nullable : !required && nullable, $"{kindName}.{property.Name}: required {required}, nullable {nullable}, always set {alwaysSet}");
        }
    }

    [Fact]
    public void The_walking_skeleton_kinds_are_implemented()
    {
        Assert.NotNull(OptionsType(StageCatalog.FindKind("flow_generator")!));
    }

    private static Type? OptionsType(StageKind kind) =>
        typeof(StageOptions).Assembly.GetType($"Pipeline.Runtime.Kinds.{CatalogNames.PascalCase(kind.Name)}.{CatalogNames.PascalCase(kind.Name)}Options");

    private static void AssertSameProperties(Type options, IReadOnlyList<PropertyDefinition> catalogue, string where)
    {
        var declared = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType != typeof(StageOptions) && p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.Ordinal);
        var expected = catalogue.ToDictionary(p => CatalogNames.PascalCase(p.Name), StringComparer.Ordinal);

        Assert.True(
            declared.Keys.OrderBy(k => k, StringComparer.Ordinal).SequenceEqual(expected.Keys.OrderBy(k => k, StringComparer.Ordinal)),
            $"{where}: options [{string.Join(", ", declared.Keys.Order())}] vs catalogue [{string.Join(", ", expected.Keys.Order())}]");

        foreach (var (name, definition) in expected)
        {
            if (definition.Type is RecordType record)
            {
                AssertSameProperties(declared[name].PropertyType, record.Fields, $"{where}.{definition.Name}");
            }
        }
    }
}

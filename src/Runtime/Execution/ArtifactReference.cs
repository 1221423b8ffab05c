using System.Reflection;
using Pipeline.Catalog;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Kinds.PreferencePairs;

namespace Pipeline.Runtime.Execution;

/// <summary>One step of a reference after the stage name: a member (<c>.videos</c>) or a call (<c>.pairs(count: 4096)</c>).</summary>
/// <param name="Member">The member as written (snake_case); the artifact's C# member is its PascalCase form.</param>
/// <param name="Arguments">Named arguments (snake_case names); values are literals or upstream artifacts.</param>
public sealed record ReferenceStep(string Member, params ReferenceArgument[] Arguments);

public sealed record ReferenceArgument(string Name, object? Value);

/// <summary>Follows <c>stage.member.call(args)</c> paths on artifacts, the way the language's dotted references read.</summary>
public static class ArtifactReference
{
    /// <summary>
    /// A referenced value as the type a stage property needs. The catalogue gives a <c>preference_pairs</c> stage and
    /// its splits one type, so <c>train = prefs</c> is as valid as <c>train = prefs.train</c>: the whole stage stands
    /// for all of its pairs (<see cref="PreferencePairs.All"/>).
    /// </summary>
    public static T? As<T>(object value)
        where T : class =>
        value as T ?? (value is PreferencePairs pairs && typeof(T) == typeof(PreferencePairSet) ? pairs.All as T : null);

    public static object Follow(object artifact, IReadOnlyList<ReferenceStep> steps)
    {
        var current = artifact;
        foreach (var step in steps)
        {
            var name = CatalogNames.PascalCase(step.Member);
            var type = current.GetType();
            if (step.Arguments.Length == 0 && type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { } property)
            {
                current = property.GetValue(current) ?? throw new InvalidOperationException($"{type.Name}.{name} is null");
                continue;
            }

            var method = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(m => m.Name == name)
                ?? throw new InvalidOperationException($"{type.Name} has no member '{step.Member}'; the catalogue and the runtime disagree");
            var parameters = method.GetParameters();
            var values = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var argument = step.Arguments.FirstOrDefault(a => CatalogNames.PascalCase(a.Name) == CatalogNames.PascalCase(parameters[i].Name!));
                values[i] = argument is null
                    ? (parameters[i].HasDefaultValue ? parameters[i].DefaultValue : throw new InvalidOperationException($"missing argument '{parameters[i].Name}' for '{step.Member}'"))
                    : argument.Value is null ? null : CatalogDefaults.Convert(argument.Value, parameters[i].ParameterType);
            }

            current = method.Invoke(current, values) ?? throw new InvalidOperationException($"{type.Name}.{name}(...) returned null");
        }

        return current;
    }
}

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// src/Runtime uses no reflection outside the files whose job it is (issue 21: the options' defaults were set by
/// reflection, references followed by it, artifact names found by it). The rule itself is tested on snippets that
/// break it one way each.
/// </summary>
public sealed class ReflectionRuleTests
{
    [Fact]
    public void The_runtime_uses_no_reflection_outside_its_allowed_files()
    {
        var compilation = CSharpSources.Runtime;
        Assert.Empty(CSharpSources.Errors(compilation));

        var findings = ReflectionRule.Check(compilation);

        Assert.True(findings.Count == 0, "reflection in src/Runtime:\n" + string.Join("\n", findings));
        Assert.All(ReflectionRule.Allowed.Keys, path => Assert.True(File.Exists(Path.Combine(CSharpSources.RepositoryRoot, path)), $"{path} is allowed but does not exist"));
    }

    [Fact]
    public void A_property_looked_up_by_name_is_found_without_any_using()
    {
        var findings = Check("""
            class C
            {
                object? F(object target) =>
                    target.GetType()
                        .GetProperty("Beta")?
                        .GetValue(target);
            }
            """);

        Assert.Equal(
            new[]
            {
                "src/Runtime/Snippet.cs:5: 'GetProperty' reflects (System.Reflection.PropertyInfo); type the value, or let the compiler emit the call",
                "src/Runtime/Snippet.cs:6: 'GetValue' reflects (System.Reflection.PropertyInfo); type the value, or let the compiler emit the call",
            },
            findings);
    }

    [Fact]
    public void A_using_binding_flags_and_activator_are_found_each_on_its_line()
    {
        var findings = Check("""
            using System.Reflection;
            class C
            {
                const BindingFlags Flags = BindingFlags.Public;
                object F(System.Type type) => System.Activator.CreateInstance(type)!;
                string G() => nameof(C) + typeof(C).Name;
            }
            """);

        Assert.Equal(new[] { 1, 4, 5 }, findings.Select(f => int.Parse(f.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    [Fact]
    public void An_allowed_file_may_reflect()
    {
        Assert.Empty(Check("class C { object F(System.Type type) => System.Activator.CreateInstance(type)!; }", "src/Runtime/Execution/Hosting/ExperimentHost.cs"));
    }

    private static string[] Check(string source, string path = "src/Runtime/Snippet.cs")
    {
        var compilation = CSharpSources.Compile("Snippet", [(path, source)]);
        Assert.Empty(CSharpSources.Errors(compilation));
        return ReflectionRule.Check(compilation).Select(f => f.ToString()).ToArray();
    }
}

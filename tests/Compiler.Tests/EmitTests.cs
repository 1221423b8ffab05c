using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Compiler.Emit;

namespace Pipeline.Compiler.Tests;

public sealed class EmitTests
{
    [Fact]
    public void The_same_source_gives_byte_identical_files_in_any_folder()
    {
        using var temp = new TempDirectory();
        var first = Sources.CompileAt(temp.Combine("a", "hello.pipe"), Sources.Hello).Emit(temp.Combine("out-one"));
        var second = Sources.CompileAt(temp.Combine("somewhere", "else", "hello.pipe"), Sources.Hello).Emit(temp.Combine("deeper", "out-two"));
        Assert.True(first.Success, string.Join("\n", first.Diagnostics));
        Assert.True(second.Success, string.Join("\n", second.Diagnostics));
        Assert.Equal(File.ReadAllBytes(first.AssemblyPath!), File.ReadAllBytes(second.AssemblyPath!));
        Assert.Equal(File.ReadAllBytes(first.PdbPath!), File.ReadAllBytes(second.PdbPath!));
        Assert.Equal(File.ReadAllText(first.GeneratedSourcePath!), File.ReadAllText(second.GeneratedSourcePath!));
        foreach (var file in new[] { first.AssemblyPath!, first.PdbPath!, first.GeneratedSourcePath! })
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain(temp.Path, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TestEnvironment.RepositoryRoot.TrimEnd('/'), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_assembly_embeds_the_canonical_source_its_hash_and_the_stage_hashes()
    {
        using var temp = new TempDirectory();
        var compilation = Sources.CompileAt("hello.pipe", Sources.Hello);
        var result = compilation.Emit(temp.Path);
        var info = ExperimentAssemblyInfo.Read(result.AssemblyPath!)!;
        Assert.Equal("hello", info.Experiment);
        Assert.Equal(compilation.SourceSha256, info.SourceSha256);
        Assert.Equal(compilation.CanonicalSource, info.CanonicalSource);
        Assert.Equal(Compilation.CompilerVersion, info.CompilerVersion);
        Assert.Equal(
            compilation.SemanticModel.Stages.Select(s => (s.Name, s.Kind.Name, s.Hash)),
            info.Stages);
        Assert.Equal(StageHash(compilation.CanonicalSource), info.SourceSha256);
    }

    [Fact]
    public void A_second_compile_comes_from_the_assembly_cache()
    {
        using var temp = new TempDirectory();
        var options = TestEnvironment.Options(temp.Combine("cache"));
        var first = Compilation.Parse("hello.pipe", Sources.Hello, options).Emit(temp.Combine("one"));
        var second = Compilation.Parse("hello.pipe", Sources.Hello.Replace("  ", "    ", StringComparison.Ordinal), options).Emit(temp.Combine("two"));
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(File.ReadAllBytes(first.AssemblyPath!), File.ReadAllBytes(second.AssemblyPath!));
        Assert.True(Directory.Exists(CacheLocation.Assembly(temp.Combine("cache"), Compilation.Parse("hello.pipe", Sources.Hello, options).CacheKey)));
    }

    [Fact]
    public void Another_build_of_the_runtime_misses_the_assembly_cache()
    {
        // Version numbers stay 0.1.0.0 while the code changes; the builds (module version ids) do not.
        using var temp = new TempDirectory();
        var options = TestEnvironment.Options(temp.Combine("cache"));
        var one = Compilation.Parse("hello.pipe", Sources.Hello, options with { RuntimeBuild = "0123456789abcdef" });
        var other = Compilation.Parse("hello.pipe", Sources.Hello, options with { RuntimeBuild = "fedcba9876543210" });
        Assert.Matches("^[0-9a-f]{16}$", Compilation.CompilerBuild);
        Assert.NotEqual(one.CacheKey, other.CacheKey);
        Assert.False(one.Emit(temp.Combine("one")).FromCache);
        Assert.False(other.Emit(temp.Combine("two")).FromCache);
    }

    [Fact]
    public void A_roslyn_error_in_generated_code_maps_back_to_the_pipe_line()
    {
        using var temp = new TempDirectory();
        var broken = TemplateRenderer.Load(TemplateRenderer.ExperimentTemplate)
            .Replace("options.{{ assignment.Target }} =", "options.{{ assignment.Target }}Broken =", StringComparison.Ordinal);
        var result = Emitter.EmitWithTemplate(Sources.CompileAt("hello.pipe", Sources.Hello), temp.Path, broken);
        Assert.False(result.Success);
        var diagnostics = result.Diagnostics.Where(d => d.Code == CompilerDiagnostics.GeneratedCodeErrorCode).ToList();
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal("hello.pipe", d.Path));
        var promptsLine = Sources.Hello.IndexOf("prompts = 16", StringComparison.Ordinal);
        var atPrompts = Assert.Single(diagnostics, d => d.Span.Start == promptsLine);
        Assert.Contains("CS1061", atPrompts.Message, StringComparison.Ordinal);
        Assert.Contains("PromptsBroken", atPrompts.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Payloads() => new(
        "cpu\"); System.Environment.Exit(42); //",
        "cpu\\\"); throw null; /*",
        "line one\nline two\r\n#line 1 \"evil.cs\"\n}}} class X {",
        "unicode: ü 日本語 \u2028 \u2029 \u0085 🎉 \\u0022",
        "{{ Model.ClassName }} {% end %} @\"verbatim\" $\"{interpolated}\" \"\"\"raw\"\"\"",
        new string('"', 300) + new string('\\', 301) + string.Concat(Enumerable.Repeat("x\"); //", 400)));

    /// <summary>
    /// An experiment whose strings hold C# compiles them as data: the generated program has the same declarations
    /// and statements as without the payload, and the payload comes back out of the literal unchanged.
    /// </summary>
    [Theory]
    [MemberData(nameof(Payloads))]
    public void Strings_holding_code_stay_data(string payload)
    {
        var escaped = Lowering.CanonicalValue.Quote(payload);
        var text = Sources.Mutate(Sources.Hello, "device = auto", $"device = {escaped}");
        var compilation = Sources.CompileAt("hello.pipe", text);
        Assert.Empty(compilation.Diagnostics);
        var (code, diagnostics) = compilation.GenerateCSharp();
        Assert.Empty(diagnostics);
        var (reference, _) = Sources.CompileAt("hello.pipe", Sources.Hello).GenerateCSharp();

        var tree = CSharpSyntaxTree.ParseText(code!);
        Assert.Empty(tree.GetDiagnostics());
        Assert.Equal(Shape(CSharpSyntaxTree.ParseText(reference!)), Shape(tree));
        var info = tree.GetRoot().DescendantNodes().OfType<ObjectCreationExpressionSyntax>().First(o => o.Type.ToString().EndsWith("ExperimentInfo", StringComparison.Ordinal));
        var device = (LiteralExpressionSyntax)info.ArgumentList!.Arguments[6].Expression;
        Assert.Equal(payload, device.Token.ValueText);

        using var temp = new TempDirectory();
        var result = compilation.Emit(temp.Path);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(compilation.CanonicalSource, ExperimentAssemblyInfo.Read(result.AssemblyPath!)!.CanonicalSource);
    }

    /// <summary>The program's structure: every member, statement and directive kind in order, without literal values.</summary>
    private static string Shape(SyntaxTree tree) => string.Join("\n", tree.GetRoot()
        .DescendantNodes(descendIntoTrivia: true)
        .Where(n => n is MemberDeclarationSyntax or StatementSyntax or DirectiveTriviaSyntax or AttributeSyntax or SwitchLabelSyntax)
        .Select(n => n.Kind().ToString() + (n is MemberDeclarationSyntax m ? " " + string.Join(",", m.ChildTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.Text)) : string.Empty)));

    private static string StageHash(string text) => Lowering.StageHasher.Sha256(text);
}

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
        var second = Compilation.Parse("hello.pipe", Sources.Hello, options).Emit(temp.Combine("two"));
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Empty(second.Diagnostics);
        Assert.Equal(File.ReadAllBytes(first.AssemblyPath!), File.ReadAllBytes(second.AssemblyPath!));
        Assert.Equal(first.AssemblySha256, second.AssemblySha256);
        Assert.True(Directory.Exists(CacheLocation.Assembly(temp.Combine("cache"), Compilation.Parse("hello.pipe", Sources.Hello, options).CacheKey)));
    }

    [Fact]
    public void The_assembly_cache_serves_only_what_a_fresh_compile_would_build()
    {
        // Before: the key was the canonical source, which comments, layout and the file's name do not change, so
        // compiling shift.pipe and then smoke.pipe (three more comment lines) gave smoke.pipe the assembly built for
        // shift.pipe: #line 39 "shift.pipe" where a fresh compile says #line 36 "smoke.pipe".
        using var temp = new TempDirectory();
        var cached = TestEnvironment.Options(temp.Combine("cache"));
        var fresh = cached with { UseCache = false };
        var moved = "// one\n// two\n// three\n" + Sources.Hello.Replace("  ", "    ", StringComparison.Ordinal);
        var compiles = new[] { ("first.pipe", Sources.Hello), ("second.pipe", moved), ("first.pipe", Sources.Hello), ("first.pipe", moved) };
        for (var i = 0; i < compiles.Length; i++)
        {
            var (name, text) = compiles[i];
            var result = Compilation.Parse(temp.Combine("src", name), text, cached).Emit(temp.Combine("out", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var expected = Compilation.Parse(temp.Combine("src", name), text, fresh).Emit(temp.Combine("fresh", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.True(result.Success && expected.Success);
            Assert.Equal(i == 2, result.FromCache);
            Assert.Equal(File.ReadAllBytes(expected.AssemblyPath!), File.ReadAllBytes(result.AssemblyPath!));
            Assert.Equal(File.ReadAllBytes(expected.PdbPath!), File.ReadAllBytes(result.PdbPath!));
            var lines = File.ReadAllLines(result.GeneratedSourcePath!).Where(l => l.StartsWith("#line ", StringComparison.Ordinal) && l != "#line default").ToList();
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.EndsWith($" \"{name}\"", l));
            Assert.Contains($"#line {text.Split('\n').ToList().FindIndex(l => l.Contains("model gen", StringComparison.Ordinal)) + 1} \"{name}\"", lines);
        }
    }

    [Theory]
    [InlineData("one byte changed")]
    [InlineData("truncated")]
    [InlineData("checksums.json missing")]
    public void A_damaged_cached_assembly_is_reported_rebuilt_and_never_served(string damage)
    {
        // Before: nothing checked the cached files; one changed byte (a width 128 became 64) trained another model,
        // which the stage cache then stored under this experiment's stage hashes, and a truncated dll was never rebuilt.
        using var temp = new TempDirectory();
        var options = TestEnvironment.Options(temp.Combine("cache"));
        var compilation = Compilation.Parse("hello.pipe", Sources.Hello, options);
        var first = compilation.Emit(temp.Combine("one"));
        var folder = CacheLocation.Assembly(temp.Combine("cache"), compilation.CacheKey);
        var dll = Path.Combine(folder, "hello.dll");
        var good = File.ReadAllBytes(dll);
        switch (damage)
        {
            case "one byte changed":
                var bytes = good.ToArray();
                bytes[bytes.Length / 2] ^= 0x01;
                File.WriteAllBytes(dll, bytes);
                break;
            case "truncated":
                File.WriteAllBytes(dll, good[..(good.Length / 2)]);
                break;
            default:
                File.Delete(Path.Combine(folder, "checksums.json"));
                break;
        }

        var second = Compilation.Parse("hello.pipe", Sources.Hello, options).Emit(temp.Combine("two"));

        Assert.True(second.Success);
        Assert.False(second.FromCache);
        var warning = Assert.Single(second.Diagnostics);
        Assert.Equal(CompilerDiagnostics.AssemblyCacheDamagedCode, warning.Code);
        Assert.Equal(Dsl.Diagnostics.DiagnosticLevel.Warning, warning.Level);
        Assert.Contains(damage == "checksums.json missing" ? "file checksums.json is missing" : damage == "truncated" ? "file hello.dll has" : "file hello.dll does not match its checksum", warning.Message, StringComparison.Ordinal);
        Assert.Equal(good, File.ReadAllBytes(second.AssemblyPath!));
        Assert.Equal(good, File.ReadAllBytes(dll));
        Assert.Equal(File.ReadAllBytes(first.AssemblyPath!), File.ReadAllBytes(second.AssemblyPath!));
        Assert.True(Compilation.Parse("hello.pipe", Sources.Hello, options).Emit(temp.Combine("three")).FromCache);
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
            .Replace("{{ assignment.Target }} =", "{{ assignment.Target }}Broken =", StringComparison.Ordinal);
        var result = Emitter.EmitWithTemplate(Sources.CompileAt("hello.pipe", Sources.Hello), temp.Path, broken);
        Assert.False(result.Success);
        var diagnostics = result.Diagnostics.Where(d => d.Code == CompilerDiagnostics.GeneratedCodeErrorCode).ToList();
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal("hello.pipe", d.Path));
        var promptsLine = Sources.Hello.IndexOf("prompts = 16", StringComparison.Ordinal);
        var atPrompts = Assert.Single(diagnostics, d => d.Span.Start == promptsLine);
        Assert.Contains("CS0117", atPrompts.Message, StringComparison.Ordinal);
        Assert.Contains("PromptsBroken", atPrompts.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Payloads() => new(
        "cpu\"); System.Environment.Exit(42); //",
        "cpu\\\"); throw null; /*",
        "line one\nline two\r\n#line 1 \"evil.cs\"\n}}} class X {",
        "unicode: ü 日本語 \u2028 \u2029 \u0085 🎉 \\u0022",
        "{{ Model.ClassName }} {% end %} @\"verbatim\" $\"{interpolated}\" \"\"\"raw\"\"\"",
        new string('"', 60) + new string('\\', 61) + string.Concat(Enumerable.Repeat("x\"); //", 15)));

    /// <summary>
    /// An experiment whose strings hold C# compiles them as data: the generated program has the same declarations
    /// and statements as without the payload, and the payload comes back out of the literal unchanged. The string
    /// that reaches the generated code is a data file's name (a device is one of four forms, checked before).
    /// </summary>
    [Theory]
    [MemberData(nameof(Payloads))]
    public void Strings_holding_code_stay_data(string payload)
    {
        using var temp = new TempDirectory();
        const string Columns = "prompt,path_A,path_B,VQ,MQ,TA\np,a.mp4,b.mp4,A,B,same\n";
        // A '/' in the payload makes folders of what comes before it (the literal still holds the "//").
        Directory.CreateDirectory(Path.GetDirectoryName(temp.Combine(payload + ".csv"))!);
        File.WriteAllText(temp.Combine(payload + ".csv"), Columns);
        File.WriteAllText(temp.Combine("plain.csv"), Columns);
        string Experiment(string file) => Sources.Mutate(Sources.Hello, "  model gen", $"  data prefs = preference_pairs {{ source = {Lowering.CanonicalValue.Quote(file)} }}\n\n  model gen");
        var compilation = Sources.CompileAt(temp.Combine("hello.pipe"), Experiment(payload + ".csv"));
        Assert.DoesNotContain(compilation.Diagnostics, d => d.IsError);
        var (code, diagnostics) = compilation.GenerateCSharp();
        Assert.Empty(diagnostics);
        var (reference, _) = Sources.CompileAt(temp.Combine("hello.pipe"), Experiment("plain.csv")).GenerateCSharp();

        var tree = CSharpSyntaxTree.ParseText(code!);
        Assert.Empty(tree.GetDiagnostics());
        Assert.Equal(Shape(CSharpSyntaxTree.ParseText(reference!)), Shape(tree));
        Assert.Contains(tree.GetRoot().DescendantTokens(), t => t.IsKind(SyntaxKind.StringLiteralToken) && t.ValueText == payload + ".csv");

        var result = compilation.Emit(temp.Combine("out"));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(compilation.CanonicalSource, ExperimentAssemblyInfo.Read(result.AssemblyPath!)!.CanonicalSource);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void A_device_holding_code_is_refused_on_one_line(string payload)
    {
        // Before: check accepted any device string and only run refused it (PIPE4002).
        var compilation = Sources.CompileAt("hello.pipe", Sources.Mutate(Sources.Hello, "device = auto", $"device = {Lowering.CanonicalValue.Quote(payload)}"));
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal(CompilerDiagnostics.InvalidDeviceCode, error.Code);
        var line = Dsl.Diagnostics.DiagnosticFormatter.Format(error, compilation.Sources["hello.pipe"]);
        Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.StartsWith("hello.pipe:3:12: error PIPE2030: The device '", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("cpu")]
    [InlineData("\"cuda\"")]
    [InlineData("\"cuda:0\"")]
    [InlineData("\"cuda:12\"")]
    public void The_devices_run_accepts_pass_check(string device)
    {
        Assert.Empty(Sources.CompileAt("hello.pipe", Sources.Mutate(Sources.Hello, "device = auto", $"device = {device}")).Diagnostics);
    }

    /// <summary>The program's structure: every member, statement and directive kind in order, without literal values.</summary>
    private static string Shape(SyntaxTree tree) => string.Join("\n", tree.GetRoot()
        .DescendantNodes(descendIntoTrivia: true)
        .Where(n => n is MemberDeclarationSyntax or StatementSyntax or DirectiveTriviaSyntax or AttributeSyntax or SwitchLabelSyntax)
        .Select(n => n.Kind().ToString() + (n is MemberDeclarationSyntax m ? " " + string.Join(",", m.ChildTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.Text)) : string.Empty)));

    private static string StageHash(string text) => Lowering.StageHasher.Sha256(text);
}

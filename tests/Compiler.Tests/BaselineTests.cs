using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using DiagnosticFormatter = Pipeline.Dsl.Diagnostics.DiagnosticFormatter;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// Golden files per example under Baselines/: the diagnostics (check's output) and the generated C#, which is also
/// compiled here with zero errors. PIPELINE_UPDATE_BASELINES=1 rewrites them.
/// </summary>
public sealed class BaselineTests
{
    public static TheoryData<string> Examples() => new(TestEnvironment.Examples());

    [Theory]
    [MemberData(nameof(Examples))]
    public void Generated_code_matches_its_baseline_and_compiles(string example)
    {
        var path = Path.Combine(TestEnvironment.ExamplesDirectory, example);
        var compilation = Compilation.Load(path, new CompilationOptions { ReferencePaths = TestEnvironment.References, UseCache = false });
        var name = Path.GetFileNameWithoutExtension(example);
        var (code, emitDiagnostics) = compilation.GenerateCSharp();
        var diagnostics = string.Concat(compilation.Diagnostics.Concat(emitDiagnostics).Distinct()
            .Select(d => DiagnosticFormatter.Format(d with { Path = Path.GetFileName(d.Path) }, compilation.Sources.GetValueOrDefault(d.Path ?? string.Empty)) + "\n"));
        Compare(name + ".diagnostics.txt", diagnostics);
        if (code is null)
        {
            Assert.True(emitDiagnostics.Any(d => d.IsError), "no code and no error");
            return;
        }

        Compare(name + ".g.cs", code);
        var golden = File.ReadAllText(Path.Combine(TestEnvironment.BaselinesDirectory, name + ".g.cs"));
        var roslyn = CSharpCompilation.Create(
            "baseline." + name,
            [CSharpSyntaxTree.ParseText(golden, new CSharpParseOptions(LanguageVersion.Latest))],
            TestEnvironment.References.Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(roslyn.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    private static void Compare(string file, string actual)
    {
        var path = Path.Combine(TestEnvironment.BaselinesDirectory, file);
        if (TestEnvironment.UpdateBaselines)
        {
            Directory.CreateDirectory(TestEnvironment.BaselinesDirectory);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"no baseline {file}; run the tests with PIPELINE_UPDATE_BASELINES=1 to write it");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}

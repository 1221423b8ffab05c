using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// C# source compiled with Roslyn for the rules that read code (random draws, layers): every file of a folder, or a
/// snippet, bound against the assemblies beside the tests (TorchSharp, ML.NET, the Catalog) and the framework, so a
/// rule sees which method each call binds to, not only its spelling.
/// </summary>
internal static class CSharpSources
{
    // The project's implicit usings (ImplicitUsings in Directory.Build.props), which the SDK writes into obj/.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static string RepositoryRoot { get; } =
        typeof(CSharpSources).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);
    private static readonly Lazy<CSharpCompilation> RuntimeCompilation = new(() => CompileFolder(Path.Combine(RepositoryRoot, "src", "Runtime"), "Pipeline.Runtime"));

    /// <summary>src/Runtime, compiled once per test run.</summary>
    public static CSharpCompilation Runtime => RuntimeCompilation.Value;

    /// <summary>Every .cs file under <paramref name="folder"/> (bin and obj left out), paths kept relative to the repository.</summary>
    public static CSharpCompilation CompileFolder(string folder, string assemblyName)
    {
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(RepositoryRoot, f), File.ReadAllText(f)));
        return Compile(assemblyName, files);
    }

    /// <summary>Source files given as (path, text): the path is what a rule's findings name.</summary>
    public static CSharpCompilation Compile(string assemblyName, IEnumerable<(string Path, string Text)> files)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, options, f.Path))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, options, "ImplicitUsings.g.cs"));
        return CSharpCompilation.Create(
            assemblyName,
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }

    /// <summary>
    /// The compilation's errors, one line each; a rule that reads a compilation with errors could miss calls. CS8795
    /// (a partial method without a body) is left out: those are the [GeneratedRegex] methods, whose bodies the regex
    /// source generator writes in a real build and this compilation does not run.
    /// </summary>
    public static string[] Errors(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Select(d => d.ToString()).ToArray();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The framework (the host's trusted assemblies) and the managed assemblies beside the tests, except the
        // Runtime's own assembly and the tests' (their sources are what is compiled). The test host lists those among
        // its trusted assemblies too, so both lists are filtered: with the built Runtime referenced, a call of one of
        // its extension methods on a type of another assembly (mlContext.Rewards()) would bind to both copies.
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var beside = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return framework.Concat(beside)
            .Where(f => Path.GetFileName(f) is not ("Pipeline.Runtime.dll" or "Pipeline.Runtime.Tests.dll"))
            .Where(IsManaged)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToImmutableArray();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var reader = new PEReader(File.OpenRead(path));
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}

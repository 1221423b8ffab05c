using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Compiler;
using Pipeline.Compiler.Binding;
using Pipeline.Compiler.Emit;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli;

/// <summary>
/// How the CLI drives the compiler: the reference assemblies are the framework's plus the managed dlls beside the CLI
/// (Runtime, Catalog, TorchSharp, ML.NET), the runtime version is the loaded runtime's, and caches live where
/// <see cref="CachePaths"/> says.
/// </summary>
internal static class CompilerHost
{
    public static CompilationOptions Options(IEnumerable<string>? sets = null) => new()
    {
        ReferenceResolver = () => ReferenceAssemblies.FromHost(AppContext.BaseDirectory),
        RuntimeVersion = RuntimeVersion,
        RuntimeBuild = RuntimeAssembly.Build,
        CacheDirectory = CachePaths.Root,
        Overrides = (sets ?? []).Select(ParseSet).ToImmutableArray(),
    };

    public static string RuntimeVersion => RuntimeAssembly.Version;

    /// <summary>Reads, composes and wraps a .pipe file; a file that cannot be read is a usage error.</summary>
    public static Compilation Load(string file, IEnumerable<string>? sets = null)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"cannot read '{file}': no such file.");
        }

        return Compilation.Load(file, Options(sets));
    }

    /// <summary>
    /// Prints diagnostics as <c>path:line:col: error PIPE0123: message.</c>, at most <see cref="DiagnosticPrinter.Limit"/>
    /// and then how many more there were; returns how many are errors.
    /// </summary>
    public static int Print(IEnumerable<Diagnostic> diagnostics, Compilation compilation, TextWriter output)
    {
        var printer = new DiagnosticPrinter(output);
        Print(diagnostics, compilation, printer);
        printer.Finish();
        return printer.Errors;
    }

    /// <summary>Prints through <paramref name="printer"/>, which the caller finishes (to share its limit between groups).</summary>
    public static void Print(IEnumerable<Diagnostic> diagnostics, Compilation compilation, DiagnosticPrinter printer)
    {
        foreach (var diagnostic in diagnostics)
        {
            printer.Print(diagnostic, diagnostic.Path is not null && compilation.Sources.TryGetValue(diagnostic.Path, out var text) ? text : null);
        }
    }

    private static SetOverride ParseSet(string text) =>
        SetOverride.Parse(text) ?? throw new UsageException($"--set '{text}' has no '='; write --set STAGE.PROPERTY=VALUE.");
}

using BenchmarkDotNet.Attributes;
using Pipeline.Compiler;
using Pipeline.Compiler.Emit;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Text;

namespace Pipeline.Bench;

/// <summary>
/// The compiler in process: <c>check</c> of the largest example, warm (parse, compose, bind, type-check and hash;
/// target under 10 ms), <c>compile</c> served by the assembly cache (target under 0.3 s), and <c>compile</c> without
/// the cache (lowering, Scriban and Roslyn every time; Roslyn itself is warm after the first iteration, and
/// <see cref="ProcessBenchmarks"/> times the cold process).
/// Run: <c>dotnet run -c Release --project bench/Pipeline.Bench -- --filter '*CompileBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CompileBenchmarks
{
    private readonly string cache = Path.Combine(Path.GetTempPath(), "pipeline-bench-cache-" + Environment.ProcessId);
    private readonly string output = Path.Combine(Path.GetTempPath(), "pipeline-bench-out-" + Environment.ProcessId);
    private SourceText source = new("empty.pipe", string.Empty);
    private CompilationOptions options = new();
    private CompilationOptions uncached = new();

    [GlobalSetup]
    public void Setup()
    {
        var largest = ParseBenchmarks.LargestExample();
        source = new SourceText(largest, File.ReadAllText(largest));
        options = new CompilationOptions { ReferencePaths = ReferenceAssemblies.FromHost(AppContext.BaseDirectory), CacheDirectory = cache };
        uncached = new CompilationOptions { ReferencePaths = options.ReferencePaths, CacheDirectory = cache, UseCache = false };
        var compilation = Check();
        if (compilation.HasErrors)
        {
            throw new InvalidOperationException($"{largest} has errors; benchmark a valid file.");
        }

        // Fill the cache once; a kind the runtime lacks leaves it empty, and then the cache benchmark says so.
        var result = compilation.Emit(output);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{largest} does not compile: {string.Join("; ", result.Diagnostics)}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var folder in new[] { cache, output })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Everything <c>pipeline check</c> does for one file, without printing.</summary>
    [Benchmark]
    public Compilation Check()
    {
        var compilation = Compilation.Create(SyntaxTree.Parse(source), options);
        _ = compilation.Diagnostics;
        _ = compilation.SemanticModel.Stages[0].Hash;
        return compilation;
    }

    [Benchmark]
    public EmitResult CompileFromCache()
    {
        var result = Compilation.Create(SyntaxTree.Parse(source), options).Emit(output);
        return result.FromCache ? result : throw new InvalidOperationException("the assembly cache did not serve the compile");
    }

    [Benchmark]
    public EmitResult CompileUncached()
    {
        var result = Compilation.Create(SyntaxTree.Parse(source), uncached).Emit(output);
        return result.Success && !result.FromCache ? result : throw new InvalidOperationException("the uncached compile failed or came from the cache");
    }
}

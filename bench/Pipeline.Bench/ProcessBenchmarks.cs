using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Pipeline.Bench;

/// <summary>
/// <c>pipeline check</c> and <c>pipeline compile</c> on the largest example as whole processes (<c>dotnet pipeline.dll</c>
/// from src/Cli's Release build, so .NET start-up and JIT are included; the <c>./pipeline</c> wrapper's up-to-date
/// check is not): check; compile with a fresh cache (cold: Roslyn loads and compiles); compile served by the assembly
/// cache. Build the CLI first (<c>dotnet build src/Cli -c Release</c>).
/// Run: <c>dotnet run -c Release --project bench/Pipeline.Bench -- --filter '*ProcessBenchmarks*'</c>.
/// </summary>
[ShortRunJob]
public class ProcessBenchmarks
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "pipeline-bench-process-" + Environment.ProcessId);
    private string cli = string.Empty;
    private string example = string.Empty;
    private string coldCache = string.Empty;

    private string WarmCache => Path.Combine(root, "warm-cache");

    private string Output => Path.Combine(root, "out");

    [GlobalSetup]
    public void Setup()
    {
        example = ParseBenchmarks.LargestExample();
        var repository = Path.GetDirectoryName(Path.GetDirectoryName(example))!;
        cli = Path.Combine(repository, "src", "Cli", "bin", "Release", "net10.0", "pipeline.dll");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"{cli} is missing; run 'dotnet build src/Cli -c Release' first.");
        }

        Pipeline("compile", WarmCache); // fills the assembly cache that CompileCached reads
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [IterationSetup(Target = nameof(CompileCold))]
    public void FreshCache() => coldCache = Path.Combine(root, "cold-" + Guid.NewGuid().ToString("N"));

    [Benchmark]
    public int Check() => Pipeline("check", WarmCache);

    [Benchmark]
    public int CompileCold() => Pipeline("compile", coldCache);

    [Benchmark]
    public int CompileCached() => Pipeline("compile", WarmCache);

    private int Pipeline(string command, string cache)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command == "compile" ? new[] { cli, command, example, "-o", Output } : new[] { cli, command, example })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PIPELINE_CACHE"] = cache;
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? 0 : throw new InvalidOperationException($"pipeline {command} exited {process.ExitCode}: {errors.Result}");
    }
}

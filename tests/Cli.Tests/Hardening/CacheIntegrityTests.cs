using System.Text.Json.Nodes;
using System.Text;
using Pipeline.Catalog;
using Pipeline.Compiler.Emit;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Torch.Backend;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// What the caches serve is what was written, and what they remove is only what they wrote (issue 23, items 1 and 4),
/// through the real commands in this process.
/// </summary>
[Collection(InProcessCliCollection.Name)]
public sealed class CacheIntegrityTests : IDisposable
{
    private readonly TempFolder temp = new("pipeline-cache-integrity-");
    private readonly string hello;

    public CacheIntegrityTests()
    {
        hello = temp.File("hello.pipe");
        File.Copy(Path.Combine(RepoPaths.Examples, "hello.pipe"), hello);
    }

    private string Cache => temp.File("cache");

    [Fact]
    public void An_out_folder_inside_the_cache_is_refused_before_anything_runs()
    {
        // Before: `run --out $PIPELINE_CACHE/stages/x` ran; `cache ls --verify` then called the folder corrupt and
        // `cache gc` deleted the results.
        foreach (var (arguments, option) in new[]
        {
            (new[] { "run", hello, "--out", Path.Combine(Cache, "stages", "mine"), "--quiet" }, "--out"),
            (new[] { "run", hello, "--out", Cache, "--dry-run" }, "--out"),
            (new[] { "compile", hello, "-o", Path.Combine(Cache, "assemblies", "mine") }, "-o"),
        })
        {
            var result = Run(arguments);
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith($"error PIPE4503: {option} '", result.StandardError, StringComparison.Ordinal);
            Assert.Contains($"is inside the cache ({Cache})", result.StandardError, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(Cache, "stages", "mine")));
            Assert.False(Directory.Exists(Path.Combine(Cache, "assemblies", "mine")));
        }

        // Beside the cache is fine.
        Assert.Equal(0, Run("run", hello, "--out", temp.File("cache-results"), "--dry-run").ExitCode);
    }

    [Fact]
    public void Cache_gc_leaves_every_folder_the_cache_did_not_write()
    {
        // A user's results in the stage cache's folder, a folder named like an entry that holds none of an entry's
        // files, and lock-like and temporary-like names that are not the cache's: listed as foreign, never removed.
        var stages = Path.Combine(Cache, "stages");
        var results = Directory.CreateDirectory(Path.Combine(stages, "my-results")).FullName;
        File.WriteAllText(Path.Combine(results, "results.json"), "{}");
        var lookalike = Directory.CreateDirectory(Path.Combine(stages, new string('d', 64))).FullName;
        File.WriteAllText(Path.Combine(lookalike, "results.json"), "{}");
        File.WriteAllText(Path.Combine(stages, "notes.lock"), "mine");
        var temporary = Directory.CreateDirectory(Path.Combine(stages, ".tmp-not-a-hash")).FullName;
        Directory.SetLastWriteTimeUtc(temporary, DateTime.UtcNow.AddDays(-2));
        var mineInAssemblies = Directory.CreateDirectory(Path.Combine(Cache, "assemblies", "my-build")).FullName;
        File.WriteAllText(Path.Combine(mineInAssemblies, "app.dll"), "mine");

        var list = Run("cache", "ls", "--verify");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"my-results\s+foreign\s+not written by the cache; gc leaves it", list.StandardOutput);
        Assert.Matches(@"dddddddddddddddd\s+foreign", list.StandardOutput);
        Assert.DoesNotContain("corrupt", list.StandardOutput, StringComparison.Ordinal);

        foreach (var arguments in new[] { new[] { "cache", "gc" }, ["cache", "gc", "--verify"], ["cache", "gc", "--older-than", "0"] })
        {
            var collected = Run(arguments);
            Assert.Equal(0, collected.ExitCode);
            Assert.Contains("removed 0 entries", collected.StandardOutput, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(results, "results.json")));
        Assert.True(File.Exists(Path.Combine(lookalike, "results.json")));
        Assert.True(File.Exists(Path.Combine(stages, "notes.lock")));
        Assert.True(Directory.Exists(temporary));
        Assert.True(File.Exists(Path.Combine(mineInAssemblies, "app.dll")));
    }

    [Fact]
    public void A_file_where_an_entry_folder_belongs_does_not_fail_the_store()
    {
        // Before: after the stage had trained, the rename into place failed (IOException in MoveDirectory, exit 134).
        var cache = new StageCache(Path.Combine(Cache, "stages"));
        var hash = new string('e', 64);
        Directory.CreateDirectory(cache.Root);
        File.WriteAllText(cache.EntryFolder(hash), "not a folder");

        cache.Store(hash, new JsonObject { ["stage"] = "s", ["kind"] = "k" }, artifact => File.WriteAllText(Path.Combine(artifact, "data.bin"), "payload"));

        Assert.Equal(CacheEntryState.Intact, cache.Lookup(hash).State);
    }

    [Fact]
    public void Cache_ls_and_gc_check_compiled_assemblies_and_native_libraries()
    {
        Assert.Equal(0, Run("compile", hello, "-o", temp.File("out")).ExitCode);
        var assembly = Directory.GetDirectories(Path.Combine(Cache, "assemblies")).Single();
        var original = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var native = LibStdCxxCompatibility.PreparePatchedCopy(original, Cache, out _);

        var clean = Run("cache", "ls", "--verify");
        Assert.Matches(@"assemblies: 1 folder, .* every file checked against its checksum", clean.StandardOutput);
        Assert.Matches(@"native: 1 folder, .* every file checked against its checksum", clean.StandardOutput);
        Assert.DoesNotContain("corrupt", clean.StandardOutput, StringComparison.Ordinal);

        // A changed byte keeps the size: only --verify sees it. A truncated library shows in its recorded size.
        var dll = Path.Combine(assembly, "hello.dll");
        var bytes = File.ReadAllBytes(dll);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(dll, bytes);
        using (var stream = new FileStream(native, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(stream.Length / 2);
        }

        var quick = Run("cache", "ls");
        Assert.Contains($"{Path.GetFileName(Path.GetDirectoryName(native))}  corrupt  file libLibTorchSharp.so has", quick.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("hello.dll", quick.StandardOutput, StringComparison.Ordinal);
        var verified = Run("cache", "ls", "--verify");
        Assert.Contains($"{Path.GetFileName(assembly)[..16]}  corrupt  file hello.dll does not match its checksum", verified.StandardOutput, StringComparison.Ordinal);

        var collected = Run("cache", "gc", "--verify");
        Assert.Contains("and 2 damaged folders of compiled experiments or native libraries", collected.StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(assembly));
        Assert.False(File.Exists(native));

        // The next compile builds the assembly again, as it was.
        var again = Run("compile", hello, "-o", temp.File("again"));
        Assert.DoesNotContain("from cache", again.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(temp.File("out/hello.dll")), File.ReadAllBytes(temp.File("again/hello.dll")));
    }

    [Theory]
    [InlineData("source sha256")]
    [InlineData("stage hash")]
    public void A_compiled_experiment_that_states_another_identity_is_refused_before_anything_runs(string changed)
    {
        // Before: a changed byte in a stated hash ran, and wrote the mangled source_sha256 into results.json, or stored
        // the stage's results under a hash that is not the stage's.
        Assert.Equal(0, Run("compile", hello, "-o", temp.File("out")).ExitCode);
        var dll = temp.File("out/hello.dll");
        var info = ExperimentAssemblyInfo.Read(dll)!;
        var stated = changed == "source sha256" ? info.SourceSha256 : info.Stages.Single(s => s.Name == "gen").Hash;
        ChangeStringLiteral(dll, stated);
        Assert.Equal(0, Run("inspect", dll).ExitCode);

        var result = Run("run", dll, "--dry-run");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error PIPE4504: the compiled experiment {dll} is not what the compiler makes of its own source: it states ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(changed == "source sha256" ? "but the source it embeds hashes to" : "for stage 'gen', its source gives", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public void A_cached_assembly_with_a_changed_identity_and_matching_checksums_is_not_run()
    {
        // Checksums catch damage; a cache entry written with a wrong identity (another compiler's bug, or a forged
        // checksums.json) is caught by comparing with the compilation the run just made.
        Assert.Equal(0, Run("run", hello, "--dry-run").ExitCode);
        var folder = Directory.GetDirectories(Path.Combine(Cache, "assemblies")).Single();
        var dll = Path.Combine(folder, "hello.dll");
        ChangeStringLiteral(dll, ExperimentAssemblyInfo.Read(dll)!.Stages.Single(s => s.Name == "gen").Hash);
        CacheChecksums.Write(folder);

        var result = Run("run", hello, "--dry-run");

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Contains("error PIPE4504:", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"Fix: remove the assembly cache's entry ({folder}) and run again.", result.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => temp.Dispose();

    private ProcessRunner.Result Run(params string[] arguments) => InProcessCli.Run(Cache, temp.Path, arguments);

    /// <summary>Changes one hex digit of <paramref name="text"/> where the code holds it (a UTF-16 string literal); the size stays.</summary>
    private static void ChangeStringLiteral(string dll, string text)
    {
        var bytes = File.ReadAllBytes(dll);
        var literal = Encoding.Unicode.GetBytes(text);
        var at = bytes.AsSpan().IndexOf(literal);
        Assert.True(at >= 0, $"'{text}' is not a string literal of {dll}");
        bytes[at] = (byte)(bytes[at] == (byte)'a' ? 'b' : 'a');
        File.WriteAllBytes(dll, bytes);
    }
}

using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// The cached, patched libLibTorchSharp.so (README, "Torch backends") through real processes: libtorch is loaded
/// once per process, so these cannot run in this one. This machine (Debian 12) needs the patched copy; the first
/// assertion of each test says so when a machine does not.
/// </summary>
public sealed class NativeLibraryFaultTests
{
    [Fact]
    public void A_truncated_cached_native_library_is_reported_written_again_and_never_loaded()
    {
        // Before: every run died of SIGBUS (exit 135) mapping the truncated copy, and printed nothing.
        using var cache = new TempFolder();
        var first = PipelineCli.Run(["doctor"], cache.Path);
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Contains("libstdc++ compat  applied", first.StandardOutput);
        var library = Directory.GetFiles(Path.Combine(cache.Path, "native"), "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        var size = new FileInfo(library).Length;
        using (var stream = new FileStream(library, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(size / 3);
        }

        var second = PipelineCli.Run(["doctor"], cache.Path);

        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal($"warning PIPE4505: the cached native library {library} was damaged (it has {size / 3} bytes, not {size}), so it was not loaded; it was written again.", second.StandardError.Trim());
        Assert.Contains("backend           ok", second.StandardOutput);
        Assert.Equal(size, new FileInfo(library).Length);
    }

    [Fact]
    public void A_failed_write_of_the_native_library_leaves_no_temporary_file()
    {
        // Before: the copy was written beside its place as libLibTorchSharp.so.<pid>.tmp and left there (2.3 MB each)
        // when the write failed; now it goes through DurableFile, whose injected full disk fails it after half the bytes.
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["doctor"], cache.Path, environment: new Dictionary<string, string?> { ["PIPELINE_FAULTS"] = "disk_full=native" });

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error PIPE4302: cannot write native library ", result.StandardError);
        Assert.Contains("the disk is full", result.StandardError);
        // The folder the failed write created goes with its temporary file (DurableFile).
        var native = Path.Combine(cache.Path, "native");
        Assert.True(!Directory.Exists(native) || Directory.GetFiles(native, "*", SearchOption.AllDirectories).Length == 0, "a file was left in the native folder");
        Assert.Equal(0, PipelineCli.Run(["doctor"], cache.Path).ExitCode);
    }

    [Theory]
    // Unset, the default depends on the load doctor sees at its start (other tests run beside it): either choice, with the load.
    [InlineData(null, null, @"(GOMP_SPINCOUNT=3000000|OMP_WAIT_POLICY=PASSIVE) \(pipeline's default: other processes kept \d+\.\d cores busy at start; set OMP_WAIT_POLICY or GOMP_SPINCOUNT to choose\)")]
    [InlineData("PASSIVE", null, @"OMP_WAIT_POLICY=PASSIVE \(from the environment\)")]
    [InlineData(null, "300000", @"GOMP_SPINCOUNT=300000 \(from the environment\)")]
    public void Doctor_shows_the_threads_and_the_OpenMP_wait_libgomp_reads(string? policy, string? spins, string expected)
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["doctor"], cache.Path, environment: new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = policy, ["GOMP_SPINCOUNT"] = spins });

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Matches(@"threads           \d+ \(torch's intra-op threads; \d+ cores available\)", result.StandardOutput);
        Assert.Matches($"OpenMP waits      {expected}\n", result.StandardOutput.ReplaceLineEndings("\n"));
    }
}

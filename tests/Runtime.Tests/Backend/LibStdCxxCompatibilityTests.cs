using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Tests.Backend;

public sealed class LibStdCxxCompatibilityTests
{
    [Fact]
    public void A_libstdcxx_with_GLIBCXX_3_4_32_needs_no_compatibility_step()
    {
        var gcc13 = new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.30", "GLIBCXX_3.4.31", "GLIBCXX_3.4.32", "CXXABI_1.3.14" };
        Assert.False(LibStdCxxCompatibility.IsNeeded(gcc13));
    }

    [Fact]
    public void A_libstdcxx_that_stops_at_GLIBCXX_3_4_30_needs_the_compatibility_step()
    {
        var debian12 = new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30", "CXXABI_1.3.13" };
        Assert.True(LibStdCxxCompatibility.IsNeeded(debian12));
    }

    [Fact]
    public void The_system_libstdcxx_version_list_is_read_from_its_ELF_version_definitions()
    {
        var versions = LibStdCxxCompatibility.SystemVersions(out var path);
        Assert.NotNull(path);
        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
    }

    [Fact]
    public void The_patched_copy_makes_GLIBCXX_3_4_32_weak_and_leaves_the_original_untouched()
    {
        var original = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var before = File.ReadAllBytes(original);
        var cache = Directory.CreateTempSubdirectory("pipeline-compat-").FullName;
        try
        {
            var patched = LibStdCxxCompatibility.PreparePatchedCopy(original, cache, out var damage);
            Assert.Null(damage);

            Assert.StartsWith(cache, patched, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(original));
            var needed = ElfFile.Read(patched).NeededVersions().Single(v => v.Version == LibStdCxxCompatibility.RequiredVersion);
            Assert.Equal(2, needed.Flags & 2);
            var unpatched = ElfFile.Read(original).NeededVersions().Single(v => v.Version == LibStdCxxCompatibility.RequiredVersion);
            Assert.Equal(0, unpatched.Flags & 2);
            Assert.Equal(before.Length, new FileInfo(patched).Length);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("one byte changed")]
    public void A_damaged_cached_copy_is_reported_and_written_again_never_returned(string damage)
    {
        // Before: any file at the copy's path was returned as it was, and a truncated one killed every run with SIGBUS
        // (exit 135, nothing printed) when it was mapped.
        var original = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var cache = Directory.CreateTempSubdirectory("pipeline-compat-").FullName;
        try
        {
            var patched = LibStdCxxCompatibility.PreparePatchedCopy(original, cache, out _);
            var good = File.ReadAllBytes(patched);
            Assert.Null(Pipeline.Catalog.CacheChecksums.Verify(Path.GetDirectoryName(patched)!));
            using (var stream = new FileStream(patched, FileMode.Open, FileAccess.ReadWrite))
            {
                if (damage == "truncated")
                {
                    stream.SetLength(good.Length / 3);
                }
                else
                {
                    stream.Position = good.Length / 2;
                    stream.WriteByte((byte)(good[good.Length / 2] ^ 0x40));
                }
            }

            Assert.NotNull(Pipeline.Catalog.CacheChecksums.Verify(Path.GetDirectoryName(patched)!));
            var again = LibStdCxxCompatibility.PreparePatchedCopy(original, cache, out var found);

            Assert.Equal(patched, again);
            Assert.Equal(damage == "truncated" ? $"it has {good.Length / 3} bytes, not {good.Length}" : "its bytes are not the patched library's", found);
            Assert.Equal(good, File.ReadAllBytes(again));
            Assert.Null(Pipeline.Catalog.CacheChecksums.Verify(Path.GetDirectoryName(patched)!));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(patched)!, "*.tmp"));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}

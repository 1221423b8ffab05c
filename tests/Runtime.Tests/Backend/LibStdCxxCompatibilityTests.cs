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
            var patched = LibStdCxxCompatibility.PreparePatchedCopy(original, cache);

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
}

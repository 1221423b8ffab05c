using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) for one symbol,
/// <c>std::ios_base_library_init()</c>, which GCC 13's &lt;iostream&gt; only references (no relocation calls it).
/// Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the library fails to load there. Where the system lacks the
/// version, we load a private copy in which that needed version is optional and the symbol an unversioned weak
/// reference. The NuGet cache's copy is never touched. See shared/notes/torchsharp.md for the measured cause.
/// </summary>
public static class LibStdCxxCompatibility
{
    public const string RequiredVersion = "GLIBCXX_3.4.32";

    /// <summary>True when a libstdc++ defining these versions cannot satisfy libLibTorchSharp.so as shipped.</summary>
    public static bool IsNeeded(IEnumerable<string> systemVersions) => !systemVersions.Contains(RequiredVersion, StringComparer.Ordinal);

    /// <summary>The versions defined by the libstdc++ this process would load.</summary>
    public static IReadOnlyList<string> SystemVersions(out string? libraryPath)
    {
        libraryPath = FindSystemLibStdCxx();
        return libraryPath is null ? Array.Empty<string>() : ElfFile.Read(libraryPath).DefinedVersions();
    }

    /// <summary>
    /// Returns the path of the patched copy of <paramref name="original"/> in the cache, writing it (atomically, with a
    /// <c>checksums.json</c> for <c>pipeline cache ls --verify</c>) when it is missing or damaged. The copy's folder is
    /// keyed by the original's SHA-256, so a TorchSharp upgrade gets a fresh copy. Before it is used the copy is
    /// compared, byte for byte through its SHA-256, with the patch of the original made here: a truncated copy once
    /// killed every run with SIGBUS when it was mapped. <paramref name="damage"/> says what was wrong with a copy that
    /// was replaced (null when it was intact or new).
    /// </summary>
    public static string PreparePatchedCopy(string original, string cacheRoot, out string? damage)
    {
        var bytes = File.ReadAllBytes(original);
        var key = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var folder = Path.Combine(cacheRoot, "native", key);
        var target = Path.Combine(folder, Path.GetFileName(original));
        var elf = ElfFile.FromBytes(bytes);
        if (elf.MakeVersionOptional(RequiredVersion) < 0)
        {
            throw new InvalidOperationException($"{original} does not need {RequiredVersion}; no compatibility step applies.");
        }

        damage = null;
        var expected = CacheChecksums.Sha256(elf.Bytes);
        if (File.Exists(target))
        {
            var length = new FileInfo(target).Length;
            damage = length != elf.Bytes.Length
                ? string.Create(CultureInfo.InvariantCulture, $"it has {length} bytes, not {elf.Bytes.Length}")
                : CacheChecksums.Sha256(target) != expected ? "its bytes are not the patched library's"
                : null;
            if (damage is null)
            {
                if (CacheChecksums.Verify(folder, hashContents: false) is not null)
                {
                    CacheChecksums.Write(folder);
                }

                return target;
            }
        }

        // Through a temporary file that a failed write removes (a full disk once left 2.3 MB .tmp files behind); the
        // rename leaves a process that mapped the damaged copy with its own inode.
        DurableFile.WriteAllBytes(target, elf.Bytes, "native library");
        CacheChecksums.Write(folder);
        return target;
    }

    private static string? FindSystemLibStdCxx()
    {
        // The library the dynamic loader would pick: LD_LIBRARY_PATH first, then the standard Debian/Ubuntu folders.
        var folders = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" });
        return folders.Select(f => Path.Combine(f, "libstdc++.so.6")).FirstOrDefault(File.Exists);
    }
}

using System.Reflection;
using System.Runtime.InteropServices;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using TorchSharp;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// The one place every use of torch goes through first. It loads libtorch before TorchSharp's first call, from the
/// NuGet natives that ship with the app or from a user's own libtorch folder ("bring your own libtorch", e.g. an
/// installed PyTorch's <c>torch/lib</c>), applies the libstdc++ compatibility step where the system needs it, and
/// turns every load failure into one clear <see cref="PipelineException"/>.
/// </summary>
public static class TorchBackend
{
    /// <summary>Environment variable naming a libtorch folder to load instead of the bundled one.</summary>
    public const string LibtorchEnvironmentVariable = "PIPELINE_LIBTORCH";

    // The order that worked on an H100 against PyTorch's own lib folder (shared/notes/torchsharp.md); the CUDA
    // libraries are loaded only where they exist.
    private static readonly string[] LoadOrder = { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" };
    private static readonly object Gate = new();
    private static BackendInfo? info;

    /// <summary>The libtorch folder to use for this process; null uses the bundled natives. Set before first use.</summary>
    public static string? LibtorchDirectory { get; set; } = Environment.GetEnvironmentVariable(LibtorchEnvironmentVariable);

    /// <summary>Loads the backend once; later calls return the same report.</summary>
    public static BackendInfo EnsureInitialized()
    {
        lock (Gate)
        {
            return info ??= Initialize();
        }
    }

    /// <summary>
    /// cuBLAS gives reproducible matrix products only with a fixed workspace (the value PyTorch's documentation names);
    /// it reads the variable when CUDA starts, so it is set before libtorch loads. The other determinism switches
    /// (<c>use_deterministic_algorithms</c>, <c>cudnn.deterministic</c>, <c>cudnn.benchmark</c>) are not in TorchSharp
    /// 0.107 (the first is marked "not implemented"), so cuDNN keeps libtorch's defaults: benchmark mode off,
    /// algorithms chosen by heuristics (docs/gpu.md).
    /// </summary>
    public const string CublasWorkspaceVariable = "CUBLAS_WORKSPACE_CONFIG";

    private static BackendInfo Initialize()
    {
        // Both before libtorch loads: libgomp reads its wait policy once, and cuBLAS its workspace, from libc's environment.
        OpenMpSettings.Apply();
        NativeEnvironment.SetDefault(CublasWorkspaceVariable, ":4096:8");
        var bringYourOwn = !string.IsNullOrWhiteSpace(LibtorchDirectory);
        var torchSharpFolder = FindTorchSharpNativeFolder();
        var libtorchFolder = bringYourOwn ? Path.GetFullPath(LibtorchDirectory!) : torchSharpFolder;
        var tried = new List<string>();

        if (OperatingSystem.IsLinux())
        {
            if (!Directory.Exists(libtorchFolder) || !File.Exists(Path.Combine(libtorchFolder, "libtorch.so")))
            {
                throw LoadFailure(
                    $"no libtorch.so in '{libtorchFolder}'",
                    bringYourOwn
                        ? $"point --libtorch or {LibtorchEnvironmentVariable} at the folder that holds libtorch.so, such as the 'lib' folder of an installed PyTorch (python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), \"lib\"))')."
                        : "restore the app again (dotnet build) so that the libtorch-cpu-linux-x64 natives are copied beside it.");
            }

            foreach (var name in LoadOrder)
            {
                var path = Path.Combine(libtorchFolder, name);
                if (!File.Exists(path))
                {
                    continue;
                }

                tried.Add(path);
                if (!NativeLibrary.TryLoad(path, out _))
                {
                    throw LoadFailure($"loading '{path}' failed", "check that the folder holds a complete libtorch for this CPU architecture (ldd on that file shows what is missing).");
                }
            }
        }

        var libTorchSharp = Path.Combine(torchSharpFolder, "libLibTorchSharp.so");
        var compatibilityApplied = false;
        if (OperatingSystem.IsLinux() && File.Exists(libTorchSharp))
        {
            var needsCompatibility = ElfFile.Read(libTorchSharp).NeededVersions().Any(v => v.Version == LibStdCxxCompatibility.RequiredVersion)
                && LibStdCxxCompatibility.IsNeeded(LibStdCxxCompatibility.SystemVersions(out _));
            if (needsCompatibility)
            {
                libTorchSharp = LibStdCxxCompatibility.PreparePatchedCopy(libTorchSharp, CachePaths.Root, out var damage);
                compatibilityApplied = true;
                if (damage is not null)
                {
                    Console.Error.WriteLine($"warning {RuntimeDiagnosticCodes.NativeLibraryDamaged}: the cached native library {libTorchSharp} was damaged ({damage}), so it was not loaded; it was written again.");
                }
            }

            tried.Add(libTorchSharp);
            if (!NativeLibrary.TryLoad(libTorchSharp, out _))
            {
                throw LoadFailure($"loading '{libTorchSharp}' failed", "run 'ldd' on it to see which library or symbol version is missing; on a system older than Debian 12 upgrade libstdc++.");
            }
        }

        var cudaLoaded = tried.Any(p => p.EndsWith("libtorch_cuda.so", StringComparison.Ordinal));
        try
        {
            torch.InitializeDeviceType(cudaLoaded ? DeviceType.CUDA : DeviceType.CPU);
        }
        catch (Exception error) when (error is not PipelineException)
        {
            throw LoadFailure($"TorchSharp could not start ({error.Message.Split('\n')[0]}); tried: {string.Join(", ", tried)}", "run 'pipeline doctor' for details, or set " + LibtorchEnvironmentVariable + " to a libtorch 2.10-compatible folder.", error);
        }

        var cudaDevices = new List<string>();
        if (torch.cuda.is_available())
        {
            for (var i = 0; i < torch.cuda.device_count(); i++)
            {
                cudaDevices.Add($"cuda:{i}");
            }
        }

        return new BackendInfo(
            Environment.Version.ToString(),
            typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            LibtorchVersion(libtorchFolder),
            MappedFolderOf("libtorch_cpu.so") ?? libtorchFolder,
            libTorchSharp,
            compatibilityApplied,
            bringYourOwn,
            cudaDevices,
            torch.get_num_threads());
    }

    /// <summary>The folder a loaded library was really mapped from (Linux /proc/self/maps), to report facts, not settings.</summary>
    private static string? MappedFolderOf(string library)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        var path = File.ReadLines(maps)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[^1].EndsWith("/" + library, StringComparison.Ordinal))
            .Select(fields => fields[^1])
            .FirstOrDefault();
        return path is null ? null : Path.GetDirectoryName(path);
    }

    private static string FindTorchSharpNativeFolder()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            AppContext.BaseDirectory,
        };
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "libLibTorchSharp.so")) || File.Exists(Path.Combine(c, "libtorch.so")))
            ?? candidates[0];
    }

    private static string LibtorchVersion(string folder)
    {
        // A PyTorch install has torch/version.py beside lib/; the bundled natives come from libtorch-cpu-linux-x64,
        // whose version matches the TorchSharp release (2.10.0 for TorchSharp 0.107).
        var versionFile = Path.Combine(folder, "..", "version.py");
        if (File.Exists(versionFile))
        {
            var line = File.ReadLines(versionFile).FirstOrDefault(l => l.StartsWith("__version__", StringComparison.Ordinal));
            if (line is not null)
            {
                return line.Split('=')[1].Trim().Trim('\'', '"');
            }
        }

        return "2.10.0 (libtorch-cpu-linux-x64)";
    }

    private static PipelineException LoadFailure(string what, string fix, Exception? inner = null) =>
        new(RuntimeDiagnosticCodes.LibtorchNotLoadable, $"libtorch could not be loaded: {what}. Fix: {fix}", inner);
}

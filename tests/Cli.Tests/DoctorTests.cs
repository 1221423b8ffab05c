using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

public sealed class DoctorTests
{
    [Fact]
    public void Doctor_reports_the_cpu_backend_and_exits_zero()
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(new[] { "doctor" }, cache.Path);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("TorchSharp        0.107.0", result.StandardOutput);
        Assert.Contains("(bundled)", result.StandardOutput);
        Assert.Contains("CUDA devices      none", result.StandardOutput);
        Assert.Contains("backend           ok", result.StandardOutput);
        // This machine (Debian 12) lacks GLIBCXX_3.4.32, so the private patched copy must be what was loaded.
        Assert.Contains("libstdc++ compat  applied", result.StandardOutput);
        Assert.Contains(cache.Path, result.StandardOutput);
    }

    [Fact]
    public void Bring_your_own_libtorch_loads_from_the_named_folder()
    {
        using var cache = new TempFolder();
        using var libtorch = new TempFolder("pipeline-byo-libtorch-");
        var bundled = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        foreach (var file in Directory.GetFiles(bundled, "lib*.so*").Where(f => !f.Contains("LibTorchSharp", StringComparison.Ordinal)))
        {
            // A copy of the CPU natives stands in for an installed PyTorch's torch/lib; hard links keep it cheap.
            var target = Path.Combine(libtorch.Path, Path.GetFileName(file));
            if (ProcessRunner.Run("ln", new[] { file, target }).ExitCode != 0)
            {
                File.Copy(file, target);
            }
        }

        var result = PipelineCli.Run(new[] { "doctor", "--libtorch", libtorch.Path }, cache.Path);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"libtorch folder   {libtorch.Path} (bring your own)", result.StandardOutput);
        var maps = result.StandardOutput;
        Assert.Contains("backend           ok", maps);
    }

    [Fact]
    public void A_folder_without_libtorch_is_a_clear_error_without_a_stack_trace()
    {
        using var cache = new TempFolder();
        using var empty = new TempFolder();
        var result = PipelineCli.Run(new[] { "doctor" }, cache.Path, environment: new Dictionary<string, string?> { ["PIPELINE_LIBTORCH"] = empty.Path });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error PIPE4001", result.StandardError);
        Assert.Contains(empty.Path, result.StandardError);
        Assert.Contains("Fix:", result.StandardError);
        Assert.DoesNotContain("   at ", result.All);
    }
}

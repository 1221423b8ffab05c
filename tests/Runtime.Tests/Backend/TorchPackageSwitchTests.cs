using Pipeline.Tests.Shared;

namespace Pipeline.Runtime.Tests.Backend;

/// <summary>The GPU route through TorchSharp's CUDA packages is one MSBuild property, checked offline by evaluation.</summary>
public sealed class TorchPackageSwitchTests
{
    [Fact]
    public void Without_the_property_the_runtime_references_the_linux_cpu_natives()
    {
        var references = PackageReferences();
        Assert.Contains("libtorch-cpu-linux-x64", references);
        Assert.DoesNotContain("TorchSharp-cuda-linux", references);
    }

    [Fact]
    public void With_PipelineTorchBackend_cuda_the_runtime_references_the_cuda_package()
    {
        var references = PackageReferences("-p:PipelineTorchBackend=cuda");
        Assert.Contains("TorchSharp-cuda-linux", references);
        Assert.DoesNotContain("libtorch-cpu-linux-x64", references);
    }

    private static string PackageReferences(params string[] extra)
    {
        var project = Path.Combine(RepoPaths.Root, "src", "Runtime", "Pipeline.Runtime.csproj");
        var result = ProcessRunner.Run("dotnet", new[] { "msbuild", project, "-getItem:PackageReference", "-nologo" }.Concat(extra), timeoutSeconds: 120);
        Assert.True(result.ExitCode == 0, result.All);
        return result.StandardOutput;
    }
}

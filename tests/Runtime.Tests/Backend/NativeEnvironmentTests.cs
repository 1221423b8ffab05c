using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Tests.Backend;

/// <summary>Variables native libraries read (cuBLAS, OpenMP) must reach libc's environment, not only .NET's copy.</summary>
public sealed class NativeEnvironmentTests
{
    [Fact]
    public void A_default_reaches_native_getenv_and_a_users_value_wins()
    {
        var name = "PIPELINE_TEST_" + Guid.NewGuid().ToString("N");
        Assert.Null(NativeEnvironment.Get(name));

        Assert.Equal("first", NativeEnvironment.SetDefault(name, "first"));
        Assert.Equal("first", NativeEnvironment.Get(name));
        Assert.Equal("first", Environment.GetEnvironmentVariable(name));

        // Already set (by the user, in a real run): kept.
        Assert.Equal("first", NativeEnvironment.SetDefault(name, "second"));
        Assert.Equal("first", NativeEnvironment.Get(name));
    }

    [Fact]
    public void The_backend_asks_cublas_for_its_reproducible_workspace_before_libtorch_loads()
    {
        // The test assembly loaded the backend when it started (LoadTorchFirst), so the variable is in libc's
        // environment: ":4096:8", or the value the user had set before.
        Assert.False(string.IsNullOrEmpty(NativeEnvironment.Get(TorchBackend.CublasWorkspaceVariable)));
    }
}

using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Tests.Backend;

/// <summary>The OpenMP wait setting reaches native code (issue 23, item 7).</summary>
public sealed class OpenMpSettingsTests
{
    [Fact]
    public void A_variable_set_through_libc_is_what_native_getenv_reads()
    {
        // .NET on Linux keeps its own copy of the environment: a value set only there never reaches libgomp.
        var managed = "PIPELINE_TEST_MANAGED_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(managed, "1");
        Assert.Null(NativeEnvironment.Get(managed));

        var native = "PIPELINE_TEST_NATIVE_" + Guid.NewGuid().ToString("N");
        Assert.True(NativeEnvironment.Set(native, "12345"));
        Assert.Equal("12345", NativeEnvironment.Get(native));
        Assert.Equal("12345", Environment.GetEnvironmentVariable(native));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("PASSIVE", null, "OMP_WAIT_POLICY=PASSIVE")]
    [InlineData(null, "0", "GOMP_SPINCOUNT=0")]
    [InlineData("ACTIVE", "5", "OMP_WAIT_POLICY=ACTIVE")]
    [InlineData("", null, null)]
    public void A_users_choice_is_kept_and_only_its_absence_gets_the_default(string? policy, string? spins, string? chosen)
    {
        var environment = new Dictionary<string, string?> { [OpenMpSettings.WaitPolicyVariable] = policy, [OpenMpSettings.SpinCountVariable] = spins };
        Assert.Equal(chosen, OpenMpSettings.Chosen(name => environment[name]));
    }
}

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

    [Theory]
    [InlineData(null, "GOMP_SPINCOUNT", "3000000")]
    [InlineData(0.0, "GOMP_SPINCOUNT", "3000000")]
    [InlineData(0.49, "GOMP_SPINCOUNT", "3000000")]
    [InlineData(0.5, "OMP_WAIT_POLICY", "PASSIVE")]
    [InlineData(1.9, "OMP_WAIT_POLICY", "PASSIVE")]
    public void Waiters_spin_long_on_a_quiet_machine_and_sleep_beside_other_work(double? otherBusyCores, string name, string value)
    {
        Assert.Equal((name, value), OpenMpSettings.Default(otherBusyCores));
    }

    [Fact]
    public void Other_processes_busy_cores_come_from_proc_stat_less_this_processs_own_time()
    {
        // Hand-computed: over 200 ticks of 2 cores (total 1000 -> 1200), 50 idle, so 150 busy, of which this process
        // used 30 (utime 10 -> 25, stime 5 -> 20): others kept 120 / 200 x 2 = 1.2 cores busy.
        var before = OtherCpuLoad.Parse("cpu  300 0 100 500 50 0 0 50 0 0\ncpu0 1 2 3\n", SelfStat(10, 5));
        var after = OtherCpuLoad.Parse("cpu  400 0 150 540 60 0 0 50 0 0\n", SelfStat(25, 20));
        Assert.Equal(new OtherCpuLoad.Snapshot(1000, 550, 15), before);
        Assert.Equal(new OtherCpuLoad.Snapshot(1200, 600, 45), after);
        Assert.Equal(1.2, OtherCpuLoad.BusyCores(before, after, 2), 12);
        Assert.Equal(0.0, OtherCpuLoad.BusyCores(after, after, 2));
        Assert.Throws<FormatException>(() => OtherCpuLoad.Parse("intr 1 2 3", SelfStat(1, 1)));
    }

    [Fact]
    public void A_busy_process_beside_this_one_is_seen()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("/proc is Linux's; this test runs on the project's Linux machines only");
        }

        using var busy = System.Diagnostics.Process.Start("sh", ["-c", "while :; do :; done"]);
        try
        {
            Thread.Sleep(100);
            Assert.True(OtherCpuLoad.Measure(TimeSpan.FromMilliseconds(300)) >= OpenMpSettings.BusyThreshold);
        }
        finally
        {
            busy.Kill();
        }
    }

    /// <summary>A /proc/self/stat line whose command name holds spaces and a parenthesis, as a process may name itself.</summary>
    private static string SelfStat(long utime, long stime) =>
        $"4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 {utime} {stime} 0 0 20 0 8 0 1234 0 0\n";
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Tests.Backend;

/// <summary>The warning for the case the OpenMP default cannot fix: work that starts beside a spinning run.</summary>
public sealed class SharedCpuWatchTests
{
    [Fact]
    public void It_warns_once_after_two_busy_looks_in_a_row_and_never_for_one()
    {
        var looks = new Queue<double?>([1.5, 0.1, null, 0.9, 1.2, 1.9, 1.9]);
        var warnings = new List<PipelineException>();
        var done = new ManualResetEventSlim();
        using (SharedCpuWatch.StartWith(
            w => { lock (warnings) { warnings.Add(w); } done.Set(); },
            () => { lock (looks) { return looks.Count > 0 ? looks.Dequeue() : 0.0; } },
            TimeSpan.FromMilliseconds(5)))
        {
            Assert.True(done.Wait(TimeSpan.FromSeconds(10)), "no warning after two busy looks");
            Thread.Sleep(100);
        }

        var warning = Assert.Single(warnings);
        Assert.Equal(RuntimeDiagnosticCodes.SharedCpuSpinning, warning.Code);
        Assert.Contains("keep 1.2 cores busy", warning.Message, StringComparison.Ordinal);
        Assert.Contains("OMP_WAIT_POLICY=PASSIVE", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning.Message);
    }

    [Fact]
    public void A_quiet_machine_gets_no_warning()
    {
        var warned = false;
        using (SharedCpuWatch.StartWith(_ => warned = true, () => 0.2, TimeSpan.FromMilliseconds(2)))
        {
            Thread.Sleep(100);
        }

        Assert.False(warned);
    }
}

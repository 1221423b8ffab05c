using System.Globalization;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// What the OpenMP default cannot fix, said when it happens: a run that found the machine quiet spins its waiters
/// (<see cref="OpenMpSettings"/>), and libgomp reads that once, so when other work starts beside it later both slow
/// down (bench/README.md measured 6.5×). While a run executes, this looks at the other processes' load every
/// <see cref="Interval"/> and, the second time in a row that it finds <see cref="OpenMpSettings.BusyThreshold"/> or more
/// busy elsewhere, warns once (PIPE4010) how to avoid it. It watches only when pipeline itself chose the spin.
/// </summary>
public sealed class SharedCpuWatch : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stop = new();
    private readonly Thread? thread;

    private SharedCpuWatch(Action<PipelineException> warn, Func<double?> measure, TimeSpan interval)
    {
        thread = new Thread(() => Watch(warn, measure, interval)) { IsBackground = true, Name = "pipeline shared-cpu watch" };
        thread.Start();
    }

    private SharedCpuWatch()
    {
    }

    /// <summary>Starts watching when pipeline chose the long spin; otherwise a watch that does nothing.</summary>
    public static SharedCpuWatch Start(Action<PipelineException> warn) =>
        OpenMpSettings.SpinsByDefault ? new SharedCpuWatch(warn, () => OtherCpuLoad.Measure(Window), Interval) : new SharedCpuWatch();

    /// <summary>A watch with its own measurement and interval, for tests.</summary>
    public static SharedCpuWatch StartWith(Action<PipelineException> warn, Func<double?> measure, TimeSpan interval) => new(warn, measure, interval);

    /// <summary>The warning: how busy the machine is and what to set.</summary>
    public static PipelineException Warning(double busyCores) => new(
        RuntimeDiagnosticCodes.SharedCpuSpinning,
        string.Create(CultureInfo.InvariantCulture, $"other processes keep {busyCores:0.0} cores busy while this run's OpenMP threads spin ({OpenMpSettings.SpinCountVariable}={OpenMpSettings.QuietSpinCount}, chosen at its start on a quiet machine; libgomp reads it once), which slows this run and theirs; start runs that share a machine with OMP_WAIT_POLICY=PASSIVE."));

    public void Dispose()
    {
        stop.Cancel();
        thread?.Join();
        stop.Dispose();
    }

    private void Watch(Action<PipelineException> warn, Func<double?> measure, TimeSpan interval)
    {
        var busyBefore = false;
        while (!stop.Token.WaitHandle.WaitOne(interval))
        {
            var busy = measure();
            var isBusy = busy >= OpenMpSettings.BusyThreshold;
            if (isBusy && busyBefore)
            {
                warn(Warning(busy!.Value));
                return;
            }

            busyBefore = isBusy;
        }
    }
}

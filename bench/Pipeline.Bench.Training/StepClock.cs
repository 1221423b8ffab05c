using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pipeline.Bench.Training;

/// <summary>
/// Per-step timestamps, taken after each step's loss has been read back (.item(), which waits for the device), so a
/// step's time includes its kernels on a GPU too. The figure is the median step time after <see cref="Warmup"/> steps
/// (the first steps pay for allocator growth, cuDNN autotuning and JIT): on a machine shared with other work, a burst
/// of load moves the mean of a few dozen steps by tens of percent and the median hardly at all.
/// It also records the process's CPU time (<see cref="CpuDurations"/>): on a CPU with torch on one thread, that is the
/// step's own work, which other processes on a shared machine change far less than the wall-clock time.
/// </summary>
public sealed partial class StepClock
{
    public const int Warmup = 3;
    private const int ProcessCpuClock = 2; // CLOCK_PROCESS_CPUTIME_ID
    private readonly List<long> stamps = new();
    private readonly List<double> cpu = new();

    public void Start() => Tick();

    public void Tick(int step = 0, float loss = 0)
    {
        stamps.Add(Stopwatch.GetTimestamp());
        cpu.Add(ProcessCpuMilliseconds());
    }

    /// <summary>CPU milliseconds of each step after the warm-up.</summary>
    public double[] CpuDurations => cpu.Skip(FirstTimed).Zip(cpu.Skip(FirstTimed + 1), (a, b) => b - a).ToArray();

    /// <summary>Milliseconds of each step after the warm-up.</summary>
    public double[] Durations => stamps.Skip(FirstTimed).Zip(stamps.Skip(FirstTimed + 1), (a, b) => (b - a) * 1000.0 / Stopwatch.Frequency).ToArray();

    /// <summary>Median milliseconds per step over the steps after the warm-up.</summary>
    public double MillisecondsPerStep => PipelineSteps.Median(Durations);

    private int FirstTimed => stamps.Count >= 2 ? Math.Min(Warmup, stamps.Count - 2) : throw new InvalidOperationException("a step clock needs at least one timed step");

    private static double ProcessCpuMilliseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        }

        _ = ClockGetTime(ProcessCpuClock, out var time);
        return (time.Seconds * 1000.0) + (time.Nanoseconds / 1e6);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

using System.Globalization;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// How libtorch's OpenMP threads (GNU libgomp) wait between parallel regions, set before libtorch loads, which reads it
/// once. No fixed setting serves both cases on the 2-core machine (bench/omp, README "Performance"): alone, a run is
/// fastest when waiters spin long (<c>GOMP_SPINCOUNT=3000000</c> or <c>ACTIVE</c>; libgomp's 300,000 and anything
/// shorter cost 20–40 %); beside another busy process, every spinning setting is 5–19× slower than alone, and only
/// sleeping waiters (<c>OMP_WAIT_POLICY=PASSIVE</c>) stay near it. So the default looks first: other processes'
/// busy cores over <see cref="LookWindow"/> (<see cref="OtherCpuLoad"/>); with at least <see cref="BusyThreshold"/> of
/// a core busy elsewhere it sets PASSIVE, otherwise the long spin. The thread count stays libtorch's: it changes the
/// numbers a run computes (a reduction's order), the wait policy changes none. A user's <c>OMP_WAIT_POLICY</c> or
/// <c>GOMP_SPINCOUNT</c> always wins, and nothing is measured or set then.
/// </summary>
/// <remarks>
/// What it cannot do: a run that started on a quiet machine keeps spinning when other work starts later (libgomp
/// reads the setting once), and the later work slows it down; set <c>OMP_WAIT_POLICY=PASSIVE</c> when starting runs
/// meant to share a machine (bench/README.md measures that case too). <see cref="SharedCpuWatch"/> warns when it happens.
/// </remarks>
public static class OpenMpSettings
{
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>Spins before a waiting OpenMP thread sleeps on a quiet machine (libgomp's own default is 300,000).</summary>
    public const int QuietSpinCount = 3_000_000;

    /// <summary>Other processes' busy cores from which waiters sleep instead of spinning.</summary>
    public const double BusyThreshold = 0.5;

    /// <summary>How long the CPU is watched before libtorch loads.</summary>
    public static readonly TimeSpan LookWindow = TimeSpan.FromMilliseconds(200);

    private static readonly object Gate = new();
    private static string? applied;
    private static double? busyAtStart;

    /// <summary>
    /// Unless the user set either variable: looks at the other processes' load and sets the wait policy through libc
    /// (so libgomp sees it); call before libtorch loads. Later calls change nothing.
    /// </summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (applied is not null)
            {
                return;
            }

            applied = string.Empty;
            if (Chosen(Environment.GetEnvironmentVariable) is not null)
            {
                return;
            }

            busyAtStart = OtherCpuLoad.Measure(LookWindow);
            var (name, value) = Default(busyAtStart);
            if (NativeEnvironment.Set(name, value))
            {
                applied = name;
            }
        }
    }

    /// <summary>True when pipeline set the long spin (the user chose nothing and the machine was quiet at the start).</summary>
    public static bool SpinsByDefault
    {
        get
        {
            lock (Gate)
            {
                return applied == SpinCountVariable;
            }
        }
    }

    /// <summary>The default for other processes' busy cores (null: unknown, as on a quiet machine).</summary>
    public static (string Name, string Value) Default(double? otherBusyCores) =>
        otherBusyCores >= BusyThreshold
            ? (WaitPolicyVariable, "PASSIVE")
            : (SpinCountVariable, QuietSpinCount.ToString(CultureInfo.InvariantCulture));

    /// <summary>The variable the user set (policy first), as <c>NAME=VALUE</c>, or null when they set neither.</summary>
    public static string? Chosen(Func<string, string?> environment) =>
        environment(WaitPolicyVariable) is { Length: > 0 } policy ? $"{WaitPolicyVariable}={policy}"
        : environment(SpinCountVariable) is { Length: > 0 } spins ? $"{SpinCountVariable}={spins}"
        : null;

    /// <summary>What <c>pipeline doctor</c> prints: the setting libgomp reads (through libc's getenv) and who chose it.</summary>
    public static string Describe()
    {
        var native = Chosen(NativeEnvironment.Get);
        var load = busyAtStart is { } busy ? $"other processes kept {busy.ToString("0.0", CultureInfo.InvariantCulture)} cores busy at start" : "the load could not be read";
        return native is null ? "libgomp's default (300,000 spins before sleeping)"
            : applied is { Length: > 0 } && native.StartsWith(applied, StringComparison.Ordinal) ? $"{native} (pipeline's default: {load}; set OMP_WAIT_POLICY or GOMP_SPINCOUNT to choose)"
            : $"{native} (from the environment)";
    }
}

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// How libtorch's OpenMP threads (GNU libgomp) wait between parallel regions, set before libtorch loads. libgomp's
/// default spins up to 300,000 times before a waiting thread sleeps; beside other busy processes those spinning
/// threads take the cores the work needs (a training step 10–100× slower under a load of 7, README "Performance"),
/// while <c>OMP_WAIT_POLICY=PASSIVE</c> (no spinning) cost the idle main example 28 %. The default here is a bounded
/// spin, <see cref="DefaultSpinCount"/>: long enough to bridge the microseconds between one operator's parallel
/// regions, short enough (tens of microseconds to half a millisecond of pausing, depending on the CPU's <c>pause</c>)
/// that a waiter yields its core soon when there is nothing to do. It is a choice made from libgomp's documented
/// behaviour, not from a measurement on a quiet machine (bench/omp/README.md measures it; rerun there before changing it).
/// A user's <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> always wins, and nothing is set then.
/// </summary>
public static class OpenMpSettings
{
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>Spins before a waiting OpenMP thread sleeps, unless the user chose (libgomp's own default is 300,000).</summary>
    public const int DefaultSpinCount = 10_000;

    private static readonly object Gate = new();
    private static string? applied;

    /// <summary>
    /// Sets <see cref="SpinCountVariable"/> through libc (so libgomp sees it) unless the user set either variable;
    /// call before libtorch loads. Later calls change nothing.
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
            if (Chosen(Environment.GetEnvironmentVariable) is null && NativeEnvironment.Set(SpinCountVariable, DefaultSpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                applied = SpinCountVariable;
            }
        }
    }

    /// <summary>The variable the user set (policy first), as <c>NAME=VALUE</c>, or null when they set neither.</summary>
    public static string? Chosen(Func<string, string?> environment) =>
        environment(WaitPolicyVariable) is { Length: > 0 } policy ? $"{WaitPolicyVariable}={policy}"
        : environment(SpinCountVariable) is { Length: > 0 } spins ? $"{SpinCountVariable}={spins}"
        : null;

    /// <summary>What <c>pipeline doctor</c> prints: the setting libgomp reads (through libc's getenv) and who chose it.</summary>
    public static string Describe()
    {
        var native = Chosen(NativeEnvironment.Get);
        return native is null ? "libgomp's default (300,000 spins before sleeping)"
            : applied == SpinCountVariable && native.StartsWith(SpinCountVariable, StringComparison.Ordinal) ? $"{native} (pipeline's default; set OMP_WAIT_POLICY or GOMP_SPINCOUNT to choose)"
            : $"{native} (from the environment)";
    }
}

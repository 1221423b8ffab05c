using System.Globalization;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// How many cores other processes keep busy, measured over a short window before libtorch loads: the whole
/// machine's busy time from <c>/proc/stat</c> less this process's own from <c>/proc/self/stat</c>. It decides the
/// OpenMP wait policy (<see cref="OpenMpSettings"/>), which libgomp reads once; it changes no number a run computes.
/// </summary>
public static class OtherCpuLoad
{
    /// <summary>Cumulative clock ticks: the machine's total and idle time over all cores, and this process's CPU time.</summary>
    public readonly record struct Snapshot(long Total, long Idle, long Own);

    /// <summary>The busy cores of other processes over <paramref name="window"/>; null where /proc cannot be read (not Linux).</summary>
    public static double? Measure(TimeSpan window)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var before = Read();
            Thread.Sleep(window);
            return BusyCores(before, Read(), Environment.ProcessorCount);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Other processes' busy cores between two snapshots: (busy − own) / total × cores, at least 0. Steal time counts
    /// as busy: a core the hypervisor gives to someone else is not free either.
    /// </summary>
    public static double BusyCores(Snapshot before, Snapshot after, int cores)
    {
        var total = after.Total - before.Total;
        if (total <= 0)
        {
            return 0;
        }

        var busy = total - (after.Idle - before.Idle) - (after.Own - before.Own);
        return Math.Max(0, (double)busy / total * cores);
    }

    /// <summary>
    /// A snapshot from the texts of /proc/stat (its first line: <c>cpu user nice system idle iowait irq softirq steal …</c>)
    /// and /proc/self/stat (utime and stime, fields 14 and 15, counted after the command name in parentheses, which may hold spaces).
    /// </summary>
    public static Snapshot Parse(string procStat, string selfStat)
    {
        var line = procStat.Split('\n')[0];
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            throw new FormatException($"unexpected first line of /proc/stat: '{line}'");
        }

        var ticks = fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var afterName = selfStat[(selfStat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (afterName.Length < 13)
        {
            throw new FormatException("unexpected /proc/self/stat");
        }

        // afterName[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        var own = long.Parse(afterName[11], CultureInfo.InvariantCulture) + long.Parse(afterName[12], CultureInfo.InvariantCulture);
        return new Snapshot(ticks.Sum(), ticks[3] + ticks[4], own);
    }

    private static Snapshot Read() => Parse(File.ReadAllText("/proc/stat"), File.ReadAllText("/proc/self/stat"));
}

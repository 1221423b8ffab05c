namespace Pipeline.Runtime.Core;

/// <summary>
/// Faults for tests to inject, read once from <c>PIPELINE_FAULTS</c> (comma-separated, e.g.
/// <c>disk_full=checkpoints,step_delay_ms=20</c>). Only tests set it; a run without it pays one dictionary lookup.
/// <list type="bullet">
/// <item><c>disk_full=TEXT</c>: every <see cref="DurableFile"/> write to a path containing TEXT fails with ENOSPC after half its bytes.</item>
/// <item><c>step_delay_ms=N</c>: each training step sleeps N ms, so that a test can kill a run between two checkpoints.</item>
/// </list>
/// </summary>
public static class FaultInjection
{
    public const string Variable = "PIPELINE_FAULTS";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Faults = new(() =>
        (Environment.GetEnvironmentVariable(Variable) ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(f => f.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal));

    /// <summary>True when a write to <paramref name="path"/> is to fail as if the disk were full.</summary>
    public static bool DiskFull(string path) =>
        Faults.Value.TryGetValue("disk_full", out var part) && path.Contains(part, StringComparison.Ordinal);

    /// <summary>Sleeps for the injected delay of a training step, if there is one.</summary>
    public static void StepDelay()
    {
        if (Faults.Value.TryGetValue("step_delay_ms", out var text) && int.TryParse(text, out var milliseconds) && milliseconds > 0)
        {
            Thread.Sleep(milliseconds);
        }
    }
}

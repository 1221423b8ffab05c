using System.CommandLine;
using System.Globalization;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Caching;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline cache ls [--verify]</c>: the stage cache's entries (hash, kind, stage, size, date). <c>pipeline cache gc
/// [--older-than DAYS] [--verify]</c>: removes corrupt entries and leftovers of killed runs and, with the option,
/// entries no run has used for DAYS days. Both read only each entry's recorded metadata (manifest, checksums and
/// sizes recorded when it was stored), never its checkpoints: a load verifies the checksums anyway. <c>--verify</c>
/// also hashes every file, to find damage that kept a file's size.
/// </summary>
internal static class CacheCommand
{
    public static Command Create()
    {
        var command = new Command("cache", "List or clean the stage cache ($PIPELINE_CACHE/stages).");

        var listVerify = new Option<bool>("--verify") { Description = "Also hash every file of every entry against its checksum (reads the whole cache)." };
        var list = new Command("ls", "List cached stages: hash, kind, stage, size and date.");
        list.Options.Add(listVerify);
        list.SetAction(parsed => List(StageCache.Default, Console.Out, parsed.GetValue(listVerify)));
        command.Subcommands.Add(list);

        var olderThan = new Option<double?>("--older-than") { Description = "Also remove entries not used for this many days." };
        var collectVerify = new Option<bool>("--verify") { Description = "Also remove entries whose files do not match their checksums (hashes the whole cache)." };
        var collect = new Command("gc", "Remove corrupt entries, leftovers of killed runs and, with --older-than, entries unused for DAYS days.");
        collect.Options.Add(olderThan);
        collect.Options.Add(collectVerify);
        collect.SetAction(parsed => Collect(StageCache.Default, parsed.GetValue(olderThan), Console.Out, parsed.GetValue(collectVerify)));
        command.Subcommands.Add(collect);
        return command;
    }

    public static int List(StageCache cache, TextWriter output, bool verify = false)
    {
        var entries = cache.List(verify);
        var checkedNote = verify ? ", every file checked against its checksum" : string.Empty;
        if (entries.Count == 0)
        {
            output.WriteLine($"the stage cache is empty ({cache.Root})");
        }
        else
        {
            output.WriteLine($"{"hash",-16}  {"kind",-16}  {"stage",-20}  {"size",10}  date (UTC)");
            foreach (var entry in entries)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{entry.Hash[..Math.Min(16, entry.Hash.Length)],-16}  {entry.Kind,-16}  {entry.Stage,-20}  {Size(entry.Bytes),10}  {entry.CreatedUtc:yyyy-MM-dd HH:mm}"));
            }

            output.WriteLine($"{entries.Count} entries, {Size(entries.Sum(e => e.Bytes))} in {cache.Root}{checkedNote}");
        }

        foreach (var area in TrustedCacheFolders.List(verify).GroupBy(e => e.Area))
        {
            output.WriteLine($"{area.Key}: {area.Count()} folder{(area.Count() == 1 ? string.Empty : "s")}, {Size(area.Sum(e => e.Bytes))} in {Path.GetDirectoryName(area.First().Folder)}{checkedNote}");
            foreach (var damaged in area.Where(e => e.Problem is not null))
            {
                output.WriteLine($"  {damaged.Key[..16]}  {StageCache.CorruptKind}  {damaged.Problem}");
            }
        }

        return CommandHost.Success;
    }

    public static int Collect(StageCache cache, double? olderThanDays, TextWriter output, bool verify = false)
    {
        if (olderThanDays is { } given && (!double.IsFinite(given) || given < 0))
        {
            throw new UsageException($"--older-than takes a number of days, 0 or more, not {given.ToString(CultureInfo.InvariantCulture)}.");
        }

        // Past TimeSpan's range (about 29,000 years) no entry is that old: remove none for their age.
        TimeSpan? olderThan = olderThanDays is not { } days ? null : days >= TimeSpan.MaxValue.TotalDays ? TimeSpan.MaxValue : TimeSpan.FromDays(days);
        var removed = cache.Collect(olderThan, DateTime.UtcNow, verify);
        foreach (var entry in removed)
        {
            output.WriteLine($"removed {entry.Hash[..Math.Min(16, entry.Hash.Length)]}  {entry.Kind}  {entry.Stage}");
        }

        var folders = TrustedCacheFolders.Collect(verify);
        foreach (var folder in folders)
        {
            output.WriteLine($"removed {folder.Area}/{folder.Key[..16]}  {StageCache.CorruptKind}  {folder.Problem}");
        }

        output.WriteLine($"removed {removed.Count} entries, {Size(removed.Sum(e => e.Bytes))}{(folders.Count > 0 ? $", and {folders.Count} damaged folders of compiled experiments or native libraries" : string.Empty)}");
        return CommandHost.Success;
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
    };
}

/// <summary><c>pipeline run --dry-run</c>: each stage, in run order, as run or cached; and the run's closing summary.</summary>
internal static class StageCacheCli
{
    public static int PrintPlan(ExperimentInfo info, TextWriter output)
    {
        var plan = CachedStageRunner.Plan(info, StageCache.Default);
        foreach (var stage in plan)
        {
            var note = stage.Note is null ? string.Empty : $"  ({stage.Note})";
            output.WriteLine($"{(stage.Cached ? "cached" : "run"),-6}  {stage.Name} ({stage.Kind}, {stage.Hash[..Math.Min(12, stage.Hash.Length)]}){note}");
        }

        output.WriteLine($"{plan.Count(s => !s.Cached)} to run, {plan.Count(s => s.Cached)} cached");
        return CommandHost.Success;
    }

    /// <summary>The last line before the results path: how many stages ran and how many came from the cache.</summary>
    public static string Summary(RunResult result)
    {
        var cached = result.Stages.Values.Count(s => s.Cached);
        return $"stages: {result.Stages.Count - cached} run, {cached} cached";
    }
}

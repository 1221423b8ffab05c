using System.Text.RegularExpressions;
using Pipeline.Catalog;
using Pipeline.Tests.Shared;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// Every way a cached file can be damaged — one byte changed, truncated, emptied, deleted, replaced by a folder, an
/// extra file, the whole entry replaced by a file or emptied — in the stage cache's entry of a trained generator and
/// in the assembly cache's entry of the experiment, each followed by a run in this process. Each run must notice
/// (a line that says what was damaged and that it is recomputed or rebuilt), never load the damaged file, end with
/// exit 0 and write the results.json of the undamaged run; afterwards both entries are intact again.
/// </summary>
[Collection(InProcessCliCollection.Name)]
public sealed partial class CacheFaultTests(ITestOutputHelper log) : IDisposable
{
    // Small enough to train in a fraction of a second: the faults, not the model, are under test.
    private const string Experiment = "experiment faults {\n  seed = 7\n\n  data world = synthetic_videos {\n    prompts = 8\n    eval_prompts = 4\n    frames = 2\n    resolution = [8, 8]\n    generators = 2\n  }\n\n  model gen = flow_generator {\n    pretrain = { data: world.videos, steps: 10, lr: 1e-3, batch: 8 }\n    width = 16\n  }\n}\n";

    private static readonly string[] FileDamage = ["one byte changed", "truncated", "emptied", "deleted", "replaced by a folder"];
    private readonly TempFolder temp = new("pipeline-cache-faults-");

    [Fact]
    public void Every_damaged_cache_file_is_noticed_recomputed_and_gives_the_same_results()
    {
        var file = temp.File("faults.pipe");
        File.WriteAllText(file, Experiment);
        var reference = Run(file, "reference");
        Assert.True(reference.ExitCode == 0, reference.All);
        var stageEntry = Directory.GetDirectories(temp.File("cache/stages")).Single(d => !Path.GetFileName(d).StartsWith('.'));
        var assemblyEntry = Directory.GetDirectories(temp.File("cache/assemblies")).Single();
        var pristine = temp.File("pristine");
        Copy(stageEntry, Path.Combine(pristine, "stage"));
        Copy(assemblyEntry, Path.Combine(pristine, "assembly"));

        var cases = new List<(string Entry, string What, Action Damage)>();
        foreach (var (entry, folder) in new[] { ("stage", stageEntry), ("assembly", assemblyEntry) })
        {
            foreach (var relative in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal))
            {
                foreach (var damage in FileDamage)
                {
                    cases.Add((entry, $"{relative} {damage}", () => Damage(Path.Combine(folder, relative), damage)));
                }
            }

            cases.Add((entry, "an extra file", () => File.WriteAllText(Path.Combine(folder, "extra.bin"), "not the cache's")));
            cases.Add((entry, "every file deleted", () => Array.ForEach(Directory.GetFiles(folder, "*", SearchOption.AllDirectories), File.Delete)));
            cases.Add((entry, "the entry replaced by a file", () =>
            {
                Directory.Delete(folder, recursive: true);
                File.WriteAllText(folder, "not a folder");
            }));
        }

        var problems = new List<string>();
        var expected = WithoutTimings(temp.File("reference/results.json"));
        for (var i = 0; i < cases.Count; i++)
        {
            var (entry, what, damage) = cases[i];
            Restore(Path.Combine(pristine, "stage"), stageEntry);
            Restore(Path.Combine(pristine, "assembly"), assemblyEntry);
            damage();

            var result = Run(file, $"case-{i}");
            var noticed = entry == "stage"
                ? what.StartsWith("the entry replaced", StringComparison.Ordinal) || result.StandardOutput.Contains("cache entry for stage gen is corrupt (", StringComparison.Ordinal)
                : result.StandardOutput.Contains(": warning PIPE3010: The cached assembly in ", StringComparison.Ordinal);
            var problem = InProcessCli.Problem(result)
                ?? (result.ExitCode != 0 ? $"exit {result.ExitCode}" : null)
                ?? (!noticed ? "the damage was not reported" : null)
                ?? (WithoutTimings(temp.File($"case-{i}/results.json")) != expected ? "results.json differs from the undamaged run's" : null)
                ?? (CacheChecksums.Verify(assemblyEntry) is { } assembly ? $"the assembly entry is left damaged ({assembly})" : null)
                ?? (new Runtime.Execution.Caching.StageCache(temp.File("cache/stages")).Lookup(Path.GetFileName(stageEntry)).State != Runtime.Execution.Caching.CacheEntryState.Intact ? "the stage entry is left damaged" : null);
            if (problem is not null)
            {
                problems.Add($"{entry} entry, {what}: {problem}\n{InProcessCli.Shorten(result.All)}");
            }
        }

        log.WriteLine($"{cases.Count} damaged cache entries, {cases.Count - problems.Count} recovered");
        Assert.True(problems.Count == 0, $"{problems.Count} of {cases.Count}:\n" + string.Join("\n\n", problems));
    }

    public void Dispose() => temp.Dispose();

    private ProcessRunner.Result Run(string file, string output) =>
        InProcessCli.Run(temp.File("cache"), temp.Path, "run", file, "--out", temp.File(output), "--quiet");

    private static void Damage(string path, string damage)
    {
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "one byte changed":
                bytes[bytes.Length / 2] ^= 0x01;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncated":
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "emptied":
                File.WriteAllBytes(path, []);
                break;
            case "deleted":
                File.Delete(path);
                break;
            default:
                File.Delete(path);
                Directory.CreateDirectory(path);
                break;
        }
    }

    private static void Restore(string from, string to)
    {
        if (File.Exists(to))
        {
            File.Delete(to);
        }
        else if (Directory.Exists(to))
        {
            Directory.Delete(to, recursive: true);
        }

        Copy(from, to);
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>results.json without what may differ between a run and a rerun: seconds and the cached flags.</summary>
    private static string WithoutTimings(string path) =>
        File.Exists(path) ? Timings().Replace(File.ReadAllText(path), string.Empty) : "(no results.json)";

    [GeneratedRegex(@"""(seconds|cached)"": [^,\n]+")]
    private static partial Regex Timings();
}

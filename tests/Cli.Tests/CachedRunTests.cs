using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Runtime.Caching;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The stage cache end to end on a three-stage chain (world → ae → gen, tests/Cli.Tests/Experiments/cached.pipe),
/// each test with a fresh temporary cache: reruns load instead of training, --set recomputes only what it changes and
/// what depends on it, corrupt entries are reported and recomputed, --stage takes its inputs from the cache, and a
/// sweep trains the upstream stages its points share once.
/// </summary>
public sealed class CachedRunTests
{
    private static string Experiment => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "cached.pipe");

    [Fact]
    public void CachedRun_a_second_run_recomputes_no_stored_stage_and_a_corrupt_entry_is_reported_and_recomputed()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var first = Run(cache, "run", Experiment, "--out", output.File("first"));
        Assert.Contains("stage ae: running", first.StandardOutput);
        Assert.Contains("stage gen: running", first.StandardOutput);
        var curve = File.ReadAllLines(Path.Combine(output.File("first"), "gen", "metrics.jsonl"));
        Assert.Equal(5, curve.Length);
        Assert.StartsWith("{\"step\":0,\"loss\":", curve[0], StringComparison.Ordinal);

        var plan = Run(cache, "run", Experiment, "--dry-run");
        Assert.Matches(new Regex(@"^cached\s+ae \(autoencoder", RegexOptions.Multiline), plan.StandardOutput);
        Assert.Matches(new Regex(@"^cached\s+gen \(flow_generator", RegexOptions.Multiline), plan.StandardOutput);
        Assert.Matches(new Regex(@"^run\s+world \(synthetic_videos.*rebuilt from the seed", RegexOptions.Multiline), plan.StandardOutput);

        var second = Run(cache, "run", Experiment, "--out", output.File("second"));
        Assert.DoesNotContain("stage ae: running", second.StandardOutput);
        Assert.DoesNotContain("stage gen: running", second.StandardOutput);
        Assert.Contains("stage ae: cached", second.StandardOutput);
        Assert.Contains("stage gen: cached", second.StandardOutput);
        Assert.Contains("stages: 1 run, 2 cached", second.StandardOutput);
        var stages = Stages(output.File("second"));
        Assert.True(stages.GetProperty("ae").GetProperty("cached").GetBoolean());
        Assert.True(stages.GetProperty("gen").GetProperty("cached").GetBoolean());
        Assert.False(stages.GetProperty("world").GetProperty("cached").GetBoolean());
        Assert.Equal(WithoutTimings(output.File("first")), WithoutTimings(output.File("second")));

        var list = Run(cache, "cache", "ls");
        Assert.Matches(new Regex(@"autoencoder\s+ae\s", RegexOptions.Multiline), list.StandardOutput);
        Assert.Matches(new Regex(@"flow_generator\s+gen\s", RegexOptions.Multiline), list.StandardOutput);
        Assert.Contains("2 entries", list.StandardOutput);

        // Flip one byte of the generator's checkpoint: the checksum catches it, the stage is recomputed, ae is not.
        var checkpoint = Directory.GetFiles(Path.Combine(cache.Path, "stages"), "generator.ckpt", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(checkpoint, bytes);
        var third = Run(cache, "run", Experiment, "--out", output.File("third"));
        Assert.Contains("cache entry for stage gen is corrupt (file artifact/generator.ckpt does not match its checksum); recomputing", third.StandardOutput);
        Assert.Contains("stage ae: cached", third.StandardOutput);
        Assert.Contains("stage gen: running", third.StandardOutput);
        Assert.False(Stages(output.File("third")).GetProperty("gen").GetProperty("cached").GetBoolean());
        Assert.Equal(WithoutTimings(output.File("first")), WithoutTimings(output.File("third")));
        Assert.Contains("1 to run, 2 cached", Run(cache, "run", Experiment, "--dry-run").StandardOutput);

        var gc = Run(cache, "cache", "gc", "--older-than", "0");
        Assert.Contains("removed 2 entries", gc.StandardOutput);
        Assert.Contains("the stage cache is empty", Run(cache, "cache", "ls").StandardOutput);
    }

    [Fact]
    public void CachedRun_changing_one_value_recomputes_that_stage_and_its_downstream_only()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        Run(cache, "run", Experiment, "--out", output.File("first"));

        var changed = Run(cache, "run", Experiment, "--set", "gen.width=16", "--out", output.File("changed"));
        Assert.Contains("stage ae: cached", changed.StandardOutput);
        Assert.Contains("stage gen: running", changed.StandardOutput);

        // Upstream of everything: ae and gen both change hash, so both would run.
        var plan = Run(cache, "run", Experiment, "--set", "ae.steps=6", "--dry-run");
        Assert.Matches(new Regex(@"^run\s+ae ", RegexOptions.Multiline), plan.StandardOutput);
        Assert.Matches(new Regex(@"^run\s+gen ", RegexOptions.Multiline), plan.StandardOutput);
        Assert.Contains("3 to run, 0 cached", plan.StandardOutput);
    }

    [Fact]
    public void CachedRun_stage_takes_its_inputs_from_the_cache_and_names_a_missing_input()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var missing = PipelineCli.Run(["run", Experiment, "--stage", "gen", "--out", output.Path], cache.Path);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("stage 'gen' needs the output of stage 'ae', but it is not cached; run stage 'ae' first", missing.StandardError);
        Assert.DoesNotContain("   at ", missing.All);

        var ae = Run(cache, "run", Experiment, "--stage", "ae", "--out", output.File("ae"));
        Assert.Contains("stage ae: running", ae.StandardOutput);
        var gen = Run(cache, "run", Experiment, "--stage", "gen", "--out", output.File("gen"));
        Assert.Contains("stage ae: cached", gen.StandardOutput);
        Assert.Contains("stage gen: running", gen.StandardOutput);
        Assert.False(Stages(output.File("gen")).GetProperty("gen").GetProperty("cached").GetBoolean());
    }

    [Fact]
    public void CachedRun_a_two_point_sweep_trains_the_shared_upstream_stage_once()
    {
        using var cache = new TempFolder();
        using var folder = new TempFolder();
        var source = File.ReadAllText(Experiment).Replace("autoencoder = ae\n    width       = 8", "autoencoder = ae\n    width       = sweep [8, 16]", StringComparison.Ordinal);
        Assert.Contains("sweep [8, 16]", source);
        File.WriteAllText(folder.File("sweep.pipe"), source);

        var sweep = Run(cache, "run", folder.File("sweep.pipe"), "--out", folder.File("runs"));
        Assert.Contains("sweep: 2 points", sweep.StandardOutput);
        Assert.Single(Regex.Matches(sweep.StandardOutput, "stage ae: running"));
        Assert.Single(Regex.Matches(sweep.StandardOutput, "stage ae: cached"));
        Assert.Equal(2, Regex.Matches(sweep.StandardOutput, "stage gen: running").Count);
        Assert.False(Stages(Path.Combine(folder.File("runs"), "point-0")).GetProperty("ae").GetProperty("cached").GetBoolean());
        Assert.True(Stages(Path.Combine(folder.File("runs"), "point-1")).GetProperty("ae").GetProperty("cached").GetBoolean());
        Assert.False(Stages(Path.Combine(folder.File("runs"), "point-1")).GetProperty("gen").GetProperty("cached").GetBoolean());
    }

    [Fact]
    public void CachedRun_concurrent_writers_of_one_entry_leave_one_intact_entry()
    {
        using var folder = new TempFolder();
        var cache = new StageCache(folder.File("stages"));
        var hash = new string('a', 64);
        var writes = 0;
        Parallel.For(0, 4, i => cache.Store(hash, new JsonObject { ["stage"] = "s", ["kind"] = "k", ["writer"] = i }, artifact =>
        {
            Interlocked.Increment(ref writes);
            File.WriteAllText(Path.Combine(artifact, "data.bin"), new string((char)('a' + i), 100_000));
            Thread.Sleep(50);
        }));

        Assert.Equal(1, writes);
        var lookup = cache.Lookup(hash);
        Assert.Equal(CacheEntryState.Intact, lookup.State);
        Assert.Equal("s", cache.List().Single().Stage);
        Assert.Empty(Directory.GetDirectories(folder.File("stages"), ".tmp-*"));

        File.AppendAllText(Path.Combine(lookup.Folder, "output.json"), " ");
        Assert.Equal(CacheEntryState.Corrupt, cache.Lookup(hash).State);
        Assert.Equal("file output.json does not match its checksum", cache.Lookup(hash).Problem);
        Assert.Single(cache.Collect(olderThan: null, DateTime.UtcNow));
        Assert.Equal(CacheEntryState.Missing, cache.Lookup(hash).State);
    }

    private static ProcessRunner.Result Run(TempFolder cache, params string[] arguments)
    {
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }

    private static JsonElement Stages(string runFolder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json"))).RootElement.GetProperty("stages").Clone();

    /// <summary>results.json without what may differ between a run and a cached rerun: seconds and the cached flags.</summary>
    private static string WithoutTimings(string runFolder) =>
        Regex.Replace(File.ReadAllText(Path.Combine(runFolder, "results.json")), @"""(seconds|cached)"": [^,\n]+", string.Empty);
}

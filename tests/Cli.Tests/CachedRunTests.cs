using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The stage cache end to end on a three-stage chain (world → ae → gen, tests/Cli.Tests/Experiments/cached.pipe),
/// each test with a fresh temporary cache: reruns load instead of training, --set recomputes only what it changes and
/// what depends on it, corrupt entries are reported and recomputed, --stage takes its inputs from the cache, and a
/// sweep trains the upstream stages its points share once and writes its own report (sweep.md, sweep.json, plots);
/// cache ls and gc read recorded metadata, not checkpoints, while a load still verifies every checksum.
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

        // Flip one byte of the generator's model file: the checksum catches it, the stage is recomputed, ae is not.
        var gen = Stages(output.File("first")).GetProperty("gen").GetProperty("hash").GetString()!;
        var checkpoint = Path.Combine(cache.Path, "stages", gen, "artifact", "model.safetensors");
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(checkpoint, bytes);

        // ls reads recorded metadata only, so a same-size change goes unnoticed there; --verify hashes and finds it.
        Assert.Matches(new Regex(@"flow_generator\s+gen\s", RegexOptions.Multiline), Run(cache, "cache", "ls").StandardOutput);
        var verified = Run(cache, "cache", "ls", "--verify");
        Assert.Matches(new Regex(@"corrupt\s+file artifact/model\.safetensors does not match its checksum", RegexOptions.Multiline), verified.StandardOutput);
        Assert.Matches(new Regex(@"autoencoder\s+ae\s", RegexOptions.Multiline), verified.StandardOutput);
        var third = Run(cache, "run", Experiment, "--out", output.File("third"));
        Assert.Contains("cache entry for stage gen is corrupt (file artifact/model.safetensors does not match its checksum); recomputing", third.StandardOutput);
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
    public void CachedRun_exports_each_trained_model_linked_to_the_cache_when_this_source_trained_it_else_with_the_export_keys()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var first = Run(cache, "run", Experiment, "--out", output.File("first"));
        Assert.Matches(new Regex(@"^models: \S+/first/models \(2 files, [0-9.]+ MB, 2 linked to the stage cache, [0-9.]+ s\)$", RegexOptions.Multiline), first.StandardOutput);
        var firstSource = Source(output.File("first"));
        var hashes = new[] { "ae", "gen" }.ToDictionary(s => s, s => Stages(output.File("first")).GetProperty(s).GetProperty("hash").GetString()!);
        Assert.Equal(["ae.safetensors", "gen.safetensors"], Directory.GetFiles(output.File("first/models")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (stage, hash) in hashes)
        {
            // The cache's own file, under a second name: no byte copied.
            var exported = Path.Combine(output.File("first/models"), stage + ".safetensors");
            Assert.Equal(Inode(CachedModel(cache, hash)), Inode(exported));
            var metadata = ModelFile.ReadMetadata(exported);
            Assert.Equal(new ModelProvenance("cached", firstSource, stage, hash, stage == "ae" ? "autoencoder" : "flow_generator"), metadata.Provenance);
            Assert.False(metadata.Has("pipeline.export.source_sha256"));
        }

        // Another source reuses ae from the cache: its file keeps ae's training source and adds the exporting run's.
        var changed = Run(cache, "run", Experiment, "--set", "gen.width=16", "--out", output.File("changed"));
        Assert.Contains("stage ae: cached", changed.StandardOutput);
        var changedSource = Source(output.File("changed"));
        Assert.NotEqual(firstSource, changedSource);
        var ae = ModelFile.ReadMetadata(output.File("changed/models/ae.safetensors"));
        Assert.Equal(new ModelProvenance("cached", firstSource, "ae", hashes["ae"], "autoencoder").ExportedBy("cached", changedSource), ae.Provenance);
        Assert.NotEqual(Inode(CachedModel(cache, hashes["ae"])), Inode(output.File("changed/models/ae.safetensors")));
        Assert.Equal(TensorBytes(CachedModel(cache, hashes["ae"])), TensorBytes(output.File("changed/models/ae.safetensors")));
        var gen = Stages(output.File("changed")).GetProperty("gen").GetProperty("hash").GetString()!;
        Assert.Equal(Inode(CachedModel(cache, gen)), Inode(output.File("changed/models/gen.safetensors")));

        // A run into the same folder replaces the models folder whole: a stage it does not have leaves no file.
        File.WriteAllText(output.File("changed/models/stale.safetensors"), "from an earlier run");
        Run(cache, "run", Experiment, "--set", "gen.width=16", "--out", output.File("changed"));
        Assert.Equal(["ae.safetensors", "gen.safetensors"], Directory.GetFiles(output.File("changed/models")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(".tmp", string.Join(",", Directory.GetFileSystemEntries(output.Path, "*", SearchOption.AllDirectories)));
    }

    [Fact]
    public void CachedRun_an_entry_of_an_old_artifact_format_is_recomputed()
    {
        // An entry that passes its checksums but holds the private format the stage cache wrote before model files
        // (generator.ckpt): loading it fails, so the stage is recomputed and the entry written again as a model file.
        using var cache = new TempFolder();
        using var output = new TempFolder();
        Run(cache, "run", Experiment, "--out", output.File("first"));
        var gen = Stages(output.File("first")).GetProperty("gen").GetProperty("hash").GetString()!;
        var entry = Path.Combine(cache.Path, "stages", gen);
        var model = CachedModel(cache, gen);
        var old = Path.Combine(entry, "artifact", "generator.ckpt");
        File.Move(model, old);
        File.WriteAllBytes(old, [.. "\u0019pipeline-flow-generator/1"u8, .. new byte[64]]);
        var checksums = new JsonObject();
        foreach (var file in Directory.GetFiles(entry, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "checksums.json"))
        {
            checksums[Path.GetRelativePath(entry, file)] = new JsonObject
            {
                ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))),
                ["bytes"] = new FileInfo(file).Length,
            };
        }

        File.WriteAllText(Path.Combine(entry, "checksums.json"), checksums.ToJsonString());

        var second = Run(cache, "run", Experiment, "--out", output.File("second"));
        Assert.Contains($"cache entry for stage gen cannot be loaded ({model}: no such file; name a .safetensors model file.); recomputing", second.StandardOutput);
        Assert.Contains("stage gen: running", second.StandardOutput);
        Assert.True(File.Exists(model));
        Assert.Equal(WithoutTimings(output.File("first")), WithoutTimings(output.File("second")));
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

        // `pipeline runs` tells the points apart by their swept values (it used to list two lines alike but for the id).
        var list = Run(cache, "runs").StandardOutput;
        Assert.Matches(new Regex(@"^\s+id\s+experiment\s+status\s+start \(UTC\)\s+duration\s+sweep point\s+metrics$", RegexOptions.Multiline), list);
        Assert.Matches(new Regex(@"^\s+1\s+cached\s+succeeded\s.*\s0: gen\.width=8\s", RegexOptions.Multiline), list);
        Assert.Matches(new Regex(@"^\s+2\s+cached\s+succeeded\s.*\s1: gen\.width=16\s", RegexOptions.Multiline), list);
    }

    [Fact]
    public void CachedRun_a_sweep_writes_sweep_md_with_a_row_per_point_and_a_valid_plot_per_changing_metric()
    {
        using var cache = new TempFolder();
        using var folder = new TempFolder();
        var source = File.ReadAllText(Experiment).Replace("autoencoder = ae\n    width       = 8", "autoencoder = ae\n    width       = sweep [8, 16]", StringComparison.Ordinal);
        Assert.Contains("sweep [8, 16]", source);
        File.WriteAllText(folder.File("sweep.pipe"), source);
        var runs = folder.File("runs");

        var sweep = Run(cache, "run", folder.File("sweep.pipe"), "--out", runs);

        Assert.Contains($"sweep report: {Path.Combine(runs, "sweep.md")}", sweep.StandardOutput);
        var text = File.ReadAllText(Path.Combine(runs, "sweep.md"));
        Assert.DoesNotContain(".tmp", string.Join(",", Directory.GetFiles(runs, "*", SearchOption.AllDirectories)));

        // The points table: one row per point with its swept value; point 1 loaded ae from the cache.
        var points = Table(text, "## Points");
        Assert.Equal(["point", "gen.width", "stages run", "stages cached"], points.Header);
        Assert.Equal(2, points.Rows.Count);
        Assert.Equal(["[0](point-0/report.md)", "8", "ae, gen, world", ""], points.Rows[0]);
        Assert.Equal(["[1](point-1/report.md)", "16", "gen, world", "ae"], points.Rows[1]);

        // The gen table: a row per point, each metric equal to what that point's results.json holds.
        var gen = Table(text, "## gen (flow_generator)");
        Assert.Equal(2, gen.Rows.Count);
        var widths = new[] { "8", "16" };
        for (var point = 0; point < 2; point++)
        {
            Assert.Equal(widths[point], gen.Rows[point][1]);
            var metrics = Stages(Path.Combine(runs, $"point-{point}")).GetProperty("gen").GetProperty("metrics");
            foreach (var metric in new[] { "loss_end", "loss_start", "parameters", "steps" })
            {
                var expected = metrics.GetProperty(metric).GetDouble();
                var shown = double.Parse(gen.Rows[point][Array.IndexOf(gen.Header, metric)], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(shown - expected) <= 1e-5 * Math.Abs(expected), $"point {point} {metric}: the table shows {shown}, results.json has {expected}");
            }
        }

        // A wider generator has more parameters, so that metric changes and is plotted; ae's metrics do not (it is shared).
        Assert.True(double.Parse(gen.Rows[1][Array.IndexOf(gen.Header, "parameters")], System.Globalization.CultureInfo.InvariantCulture) > double.Parse(gen.Rows[0][Array.IndexOf(gen.Header, "parameters")], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("![gen.parameters against gen.width](plots/sweep_gen_parameters.png)", text);
        Assert.Equal((720, 420), PngFile.Validate(Path.Combine(runs, "plots", "sweep_gen_parameters.png")));
        foreach (var link in Regex.Matches(text, @"!\[[^\]]*\]\((plots/[^)]+\.png)\)").Select(m => m.Groups[1].Value))
        {
            PngFile.Validate(Path.Combine(runs, link));
        }

        Assert.Equal(2, Table(text, "## ae (autoencoder)").Rows.Count);
        Assert.False(File.Exists(Path.Combine(runs, "plots", "sweep_ae_parameters.png")));

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "sweep.json"))).RootElement;
        Assert.Equal("gen.width", json.GetProperty("axes")[0].GetString());
        Assert.Equal(16, json.GetProperty("points")[1].GetProperty("values").GetProperty("gen.width").GetDouble());
        Assert.Equal(
            Stages(Path.Combine(runs, "point-1")).GetProperty("gen").GetProperty("metrics").GetProperty("loss_end").GetDouble(),
            json.GetProperty("points")[1].GetProperty("metrics").GetProperty("gen.loss_end").GetDouble());
    }

    [Fact]
    public void CachedRun_cache_ls_and_gc_read_recorded_metadata_and_a_load_still_verifies_checksums()
    {
        using var folder = new TempFolder();
        var cache = new StageCache(folder.File("stages"));
        var payload = new byte[32 << 20];
        new Random(3).NextBytes(payload);
        var damaged = new string('b', 64);
        var truncated = new string('c', 64);
        foreach (var hash in new[] { damaged, truncated })
        {
            cache.Store(hash, new JsonObject { ["stage"] = "s" + hash[0], ["kind"] = "k" }, artifact => File.WriteAllBytes(Path.Combine(artifact, "payload.bin"), payload));
        }

        // The size ls shows is the entry's size on disk, summed here from the files themselves.
        var onDisk = Directory.EnumerateFiles(cache.EntryFolder(damaged), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(onDisk, cache.List().Single(e => e.Hash == damaged).Bytes);

        // Same size, one byte different: only hashing can tell. Truncated: the recorded size tells, without hashing.
        var damagedPayload = Path.Combine(cache.EntryFolder(damaged), StageCache.ArtifactFolder, "payload.bin");
        using (var stream = new FileStream(damagedPayload, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = payload.Length / 2;
            stream.WriteByte((byte)(payload[payload.Length / 2] ^ 0xff));
        }

        using (var stream = new FileStream(Path.Combine(cache.EntryFolder(truncated), StageCache.ArtifactFolder, "payload.bin"), FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(payload.Length - 1);
        }

        var verifiedTimer = System.Diagnostics.Stopwatch.StartNew();
        var verified = cache.List(verify: true);
        verifiedTimer.Stop();
        var listTimer = System.Diagnostics.Stopwatch.StartNew();
        var listed = cache.List();
        listTimer.Stop();

        Assert.Equal("k", listed.Single(e => e.Hash == damaged).Kind);
        Assert.Equal("sb", listed.Single(e => e.Hash == damaged).Stage);
        Assert.Equal("corrupt", listed.Single(e => e.Hash == truncated).Kind);
        Assert.Equal($"file artifact/payload.bin has {payload.Length - 1} bytes, not the {payload.Length} recorded in checksums.json", listed.Single(e => e.Hash == truncated).Stage);
        Assert.Equal("file artifact/payload.bin does not match its checksum", verified.Single(e => e.Hash == damaged).Stage);
        Assert.True(listTimer.Elapsed < verifiedTimer.Elapsed, $"ls took {listTimer.Elapsed.TotalMilliseconds:0} ms, ls --verify {verifiedTimer.Elapsed.TotalMilliseconds:0} ms over 64 MiB");

        var load = cache.Lookup(damaged);
        Assert.Equal(CacheEntryState.Corrupt, load.State);
        Assert.Equal("file artifact/payload.bin does not match its checksum", load.Problem);

        Assert.Equal([truncated], cache.Collect(olderThan: null, DateTime.UtcNow).Select(e => e.Hash));
        Assert.Equal([damaged], cache.Collect(olderThan: null, DateTime.UtcNow, verify: true).Select(e => e.Hash));
        Assert.Empty(cache.List());
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

    [Fact]
    public void CachedRun_an_entry_written_by_another_runtime_build_is_stale_recomputed_and_collected()
    {
        // Stage hashes cover the runtime's version number, which a code change keeps; an entry records the build that
        // wrote it, so a changed runtime recomputes instead of serving the old code's results.
        using var cache = new TempFolder();
        using var output = new TempFolder();
        Run(cache, "run", Experiment, "--out", output.File("first"));
        var manifest = Directory.GetFiles(Path.Combine(cache.Path, "stages"), "output.json", SearchOption.AllDirectories)
            .Single(f => JsonNode.Parse(File.ReadAllText(f))!["stage"]!.GetValue<string>() == "gen");
        var entry = Path.GetDirectoryName(manifest)!;
        var stored = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        Assert.Equal(Pipeline.Runtime.Core.RuntimeAssembly.Build, stored["runtime_build"]!.GetValue<string>());
        stored["runtime_build"] = "0123456789abcdef";
        File.WriteAllText(manifest, stored.ToJsonString());
        var checksums = JsonNode.Parse(File.ReadAllText(Path.Combine(entry, "checksums.json")))!.AsObject();
        checksums["output.json"] = new JsonObject
        {
            ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(manifest))),
            ["bytes"] = new FileInfo(manifest).Length,
        };
        File.WriteAllText(Path.Combine(entry, "checksums.json"), checksums.ToJsonString());

        var list = Run(cache, "cache", "ls");
        Assert.Matches(new Regex(@"\sstale\s+gen\s", RegexOptions.Multiline), list.StandardOutput);
        var plan = Run(cache, "run", Experiment, "--dry-run");
        Assert.Matches(new Regex(@"^run\s+gen \(flow_generator.*stale \(written by runtime build 0123456789abcdef", RegexOptions.Multiline), plan.StandardOutput);

        var second = Run(cache, "run", Experiment, "--out", output.File("second"));
        Assert.Contains($"cache entry for stage gen is stale (written by runtime build 0123456789abcdef, this is {Pipeline.Runtime.Core.RuntimeAssembly.Build}); recomputing", second.StandardOutput);
        Assert.Contains("stage gen: running", second.StandardOutput);
        Assert.Contains("stage ae: cached", second.StandardOutput);
        Assert.Equal(WithoutTimings(output.File("first")), WithoutTimings(output.File("second")));

        File.WriteAllText(manifest, stored.ToJsonString());
        File.WriteAllText(Path.Combine(entry, "checksums.json"), checksums.ToJsonString());
        Assert.Equal(["gen"], new StageCache(Path.Combine(cache.Path, "stages")).Collect(olderThan: null, DateTime.UtcNow).Select(e => e.Stage));
    }

    private static ProcessRunner.Result Run(TempFolder cache, params string[] arguments)
    {
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }

    /// <summary>The markdown table under a heading: its header cells and each row's cells.</summary>
    private static (string[] Header, List<string[]> Rows) Table(string markdown, string heading)
    {
        var lines = markdown.Split('\n').SkipWhile(l => l.TrimEnd() != heading).Skip(1).SkipWhile(l => l.Trim().Length == 0).TakeWhile(l => l.StartsWith('|')).ToArray();
        Assert.True(lines.Length >= 2, $"no table under '{heading}'");
        static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        return (Cells(lines[0]), lines.Skip(2).Select(Cells).ToList());
    }

    private static string CachedModel(TempFolder cache, string hash) => Path.Combine(cache.Path, "stages", hash, "artifact", "model.safetensors");

    private static string Source(string runFolder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json"))).RootElement.GetProperty("source_sha256").GetString()!;

    /// <summary>The file's inode: two names of one file share it.</summary>
    private static string Inode(string path)
    {
        var stat = ProcessRunner.Run("stat", ["-c", "%i", path]);
        Assert.True(stat.ExitCode == 0, stat.All);
        return stat.StandardOutput.Trim();
    }

    /// <summary>A safetensors file's data section: the bytes after its header.</summary>
    private static byte[] TensorBytes(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[(8 + (int)BitConverter.ToUInt64(bytes, 0))..];
    }

    private static JsonElement Stages(string runFolder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json"))).RootElement.GetProperty("stages").Clone();

    /// <summary>results.json without what may differ between a run and a cached rerun: seconds and the cached flags.</summary>
    private static string WithoutTimings(string runFolder) =>
        Regex.Replace(File.ReadAllText(Path.Combine(runFolder, "results.json")), @"""(seconds|cached)"": [^,\n]+", string.Empty);
}

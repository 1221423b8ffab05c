using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Cli.Registry;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Checkpoints and resume end to end (docs/runs.md) on a two-stage experiment (world → gen, 200 training steps of a
/// small pixel-space generator, about two seconds): a run killed with SIGKILL after its first checkpoint resumes there
/// and ends with exactly the metrics of an uninterrupted run (and so does a LoRA aligner); damaged checkpoints are detected and the stage
/// recomputes from scratch; a full disk stops the run with one line that names the path, and leaves no partial file.
/// CPU, a fixed seed and one torch thread (OMP_NUM_THREADS=1) for every run compared. The kill-and-resume cases run
/// twice: as on the CPU, and through the random draws of a CUDA run (PIPELINE_RANDOM_CHECK=cuda: streams reseeded
/// from a counter, the state a CUDA checkpoint saves), so resuming on a GPU is checked where there is none.
/// </summary>
public sealed class ResumeTests
{
    private const int Steps = 200;
    private const int Every = 20;

    private const string Source = """
        // Two stages, one of them training: small enough for a test, long enough to kill between checkpoints.
        experiment tiny {
          seed   = 3
          device = cpu

          data world = synthetic_videos {
            prompts      = 8
            eval_prompts = 4
            frames       = 4
            resolution   = [8, 8]
            generators   = 2
          }

          model gen = flow_generator {
            width    = 16
            pretrain = { data: world.videos, steps: 200, lr: 1e-3, batch: 8 }
          }
        }

        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Resume_a_run_killed_after_its_first_checkpoint_resumes_there_and_ends_with_the_uninterrupted_metrics(bool cudaRandomPath)
    {
        using var folder = new TempFolder();
        var experiment = Write(folder);
        using var baselineCache = new TempFolder();
        var baseline = Run(baselineCache, experiment, folder.File("baseline"), checkpointEvery: 0, cudaRandomPath);
        Assert.DoesNotContain("resumed", baseline.StandardOutput);

        using var cache = new TempFolder();
        var killed = StartAndKillAfterFirstCheckpoint(cache, experiment, folder.File("killed"), cudaRandomPath: cudaRandomPath);
        Assert.False(File.Exists(Path.Combine(folder.File("killed"), "results.json")), killed);

        var resumed = Run(cache, experiment, folder.File("resumed"), checkpointEvery: Every, cudaRandomPath);
        var match = Regex.Match(resumed.StandardOutput, @"^resumed gen at step (\d+)$", RegexOptions.Multiline);
        Assert.True(match.Success, resumed.All);
        var k = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(k > 0 && k < Steps && k % Every == 0, $"resumed at step {k}");

        // Only the remaining steps ran: no progress line at or before step k.
        var reported = Regex.Matches(resumed.StandardOutput, @"stage gen: step (\d+)/200").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(reported);
        Assert.All(reported, step => Assert.True(step > k, $"step {step} ran again after resuming at {k}"));
        Assert.Equal(k, Stage(folder.File("resumed"), "gen").GetProperty("resumed_from_step").GetInt32());
        Assert.Equal(JsonValueKind.Null, Stage(folder.File("baseline"), "gen").GetProperty("resumed_from_step").ValueKind);
        Assert.Equal(WithoutRunFacts(folder.File("baseline")), WithoutRunFacts(folder.File("resumed")));

        // The resumed stage's logs hold every step, the restored ones first: metrics.jsonl used to start at step k.
        Assert.Equal(File.ReadAllLines(Path.Combine(folder.File("baseline"), "gen", "metrics.jsonl")), File.ReadAllLines(Path.Combine(folder.File("resumed"), "gen", "metrics.jsonl")));
        var events = EventFile.Read(Assert.Single(Directory.GetFiles(Path.Combine(folder.File("resumed"), "gen"), "events.out.tfevents.*")));
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), events.Skip(1).Select(e => e.Step));

        // The stage finished, so its checkpoints are gone; the registry shows the killed run as interrupted.
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "stages", ".checkpoints"), "*", SearchOption.AllDirectories));
        var runs = PipelineCli.Run(["runs"], cache.Path).StandardOutput;
        Assert.Matches(new Regex(@"^\s+1\s+tiny\s+interrupted\s", RegexOptions.Multiline), runs);
        Assert.Matches(new Regex(@"^\s+2\s+tiny\s+succeeded\s", RegexOptions.Multiline), runs);
    }

    /// <summary>SIGTERM (as SIGINT, Ctrl-C) is recorded as an interruption by the run itself, and the rerun resumes.</summary>
    [Fact]
    public void Resume_a_run_stopped_by_sigterm_is_recorded_as_interrupted_and_resumes()
    {
        using var folder = new TempFolder();
        var experiment = Write(folder);
        using var cache = new TempFolder();
        StartAndKillAfterFirstCheckpoint(cache, experiment, folder.File("stopped"), signal: "TERM");

        var runs = PipelineCli.Run(["runs"], cache.Path).StandardOutput;
        Assert.Matches(new Regex(@"^\s+1\s+tiny\s+interrupted\s", RegexOptions.Multiline), runs);
        using (var registry = new RunRegistry(Path.Combine(cache.Path, "registry.db")))
        {
            Assert.Equal("stopped by SIGTERM", registry.Find(1)!.Error);
        }

        var resumed = Run(cache, experiment, folder.File("resumed"), checkpointEvery: Every);
        Assert.Matches(new Regex(@"^resumed gen at step [1-9]\d*$", RegexOptions.Multiline), resumed.StandardOutput);
    }

    /// <summary>Two runs training the same stage at once: the first keeps the checkpoints, the second trains without, both finish alike.</summary>
    [Fact]
    public async Task Resume_two_runs_of_one_stage_at_once_leave_checkpoints_to_the_first()
    {
        using var folder = new TempFolder();
        var experiment = Write(folder);
        using var cache = new TempFolder();
        var first = Start(cache, experiment, folder.File("first"), "step_delay_ms=30");
        WaitForCheckpoint(first.Process, cache, "gen");
        var second = PipelineCli.Run(["run", experiment, "--out", folder.File("second"), "--quiet"], cache.Path, environment: Environment(Every));
        var firstOutput = await first.Output;
        await first.Process.WaitForExitAsync();
        Assert.True(first.Process.ExitCode == 0, firstOutput);
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Matches(@"stage gen: no checkpoints in this run \(another process holds /\S+/stages/\.checkpoints/[0-9a-f]{64}\.lock\)", second.StandardOutput);
        Assert.DoesNotContain("no checkpoints", firstOutput);
        Assert.Equal(WithoutRunFacts(folder.File("first")), WithoutRunFacts(folder.File("second")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(cache.Path, "stages", ".checkpoints")));
        first.Process.Dispose();
    }

    /// <summary>The aligners train through Trainer.ForAlignment: a LoRA fine-tune killed midway resumes with its adapters and metric series.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Resume_an_aligner_with_lora_killed_midway_ends_with_the_uninterrupted_metrics(bool cudaRandomPath)
    {
        using var folder = new TempFolder();
        var experiment = folder.File("tinyalign.pipe");
        File.WriteAllText(experiment, AlignSource);
        using var baselineCache = new TempFolder();
        Run(baselineCache, experiment, folder.File("baseline"), checkpointEvery: 0, cudaRandomPath);

        using var cache = new TempFolder();
        StartAndKillAfterFirstCheckpoint(cache, experiment, folder.File("killed"), stage: "sft", cudaRandomPath: cudaRandomPath);
        var resumed = Run(cache, experiment, folder.File("resumed"), checkpointEvery: Every, cudaRandomPath);
        Assert.Contains("stage base: cached", resumed.StandardOutput);
        var match = Regex.Match(resumed.StandardOutput, @"^resumed sft at step (\d+)$", RegexOptions.Multiline);
        Assert.True(match.Success, resumed.All);
        Assert.Equal(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Stage(folder.File("resumed"), "sft").GetProperty("resumed_from_step").GetInt32());
        Assert.Equal(WithoutRunFacts(folder.File("baseline")), WithoutRunFacts(folder.File("resumed")));
        Assert.Equal(File.ReadAllLines(Path.Combine(folder.File("baseline"), "sft", "metrics.jsonl")), File.ReadAllLines(Path.Combine(folder.File("resumed"), "sft", "metrics.jsonl")));
    }

    [Fact]
    public void Resume_a_full_disk_stops_the_run_with_the_path_and_a_truncated_checkpoint_is_detected_and_recomputed()
    {
        using var folder = new TempFolder();
        var experiment = Write(folder);
        using var cache = new TempFolder();

        // The disk "fills up" when the second checkpoint is written: one line, the path, no partial file, and the
        // first checkpoint stays usable.
        var full = PipelineCli.Run(["run", experiment, "--out", folder.File("full"), "--quiet"], cache.Path, environment: Environment(Every, "disk_full=step-00000040"));
        Assert.Equal(1, full.ExitCode);
        var error = full.StandardError.Trim();
        Assert.DoesNotContain('\n', error);
        Assert.Matches(@"^error PIPE4302: cannot write checkpoint /\S+/stages/\.checkpoints/[0-9a-f]{64}/trainer-0\.step-00000040\.ckpt: the disk is full; free space there \(or set PIPELINE_CACHE / --out elsewhere\) and run again\.$", error);
        Assert.DoesNotContain("   at ", full.All);
        var checkpoints = Directory.GetDirectories(Path.Combine(cache.Path, "stages", ".checkpoints")).Single();
        Assert.Equal(["trainer-0.json", "trainer-0.step-00000020.ckpt"], Directory.GetFiles(checkpoints).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(folder.File("full"), "results.json")));
        Assert.Matches(new Regex(@"^\s+1\s+tiny\s+failed\s", RegexOptions.Multiline), PipelineCli.Run(["runs"], cache.Path).StandardOutput);

        // Cut the checkpoint in half: the checksum record catches it, and the stage trains from step 0.
        var file = Path.Combine(checkpoints, "trainer-0.step-00000020.ckpt");
        var length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(length / 2);
        }

        var rerun = Run(cache, experiment, folder.File("rerun"), checkpointEvery: Every);
        Assert.Contains($"checkpoint of stage gen is unusable (file trainer-0.step-00000020.ckpt is truncated: {length / 2} of {length} bytes); recomputing from scratch", rerun.StandardOutput);
        Assert.DoesNotContain("resumed gen", rerun.StandardOutput);
        Assert.Contains("stage gen: step 20/200", rerun.StandardOutput);
        Assert.Equal(JsonValueKind.Null, Stage(folder.File("rerun"), "gen").GetProperty("resumed_from_step").ValueKind);
    }

    /// <summary>
    /// Checkpoints of the retired formats are refused by name, not misread: PIPECKPT1 (written before flat Adam and
    /// random streams) and PIPECKPT2 (without the identity of the stage that wrote it).
    /// </summary>
    [Theory]
    [InlineData('1', "per-parameter Adam and CPU generator states")]
    [InlineData('2', "no identity of the stage that wrote it")]
    public void Resume_a_checkpoint_of_a_retired_format_is_refused_by_name_and_recomputed(char version, string lacks)
    {
        using var folder = new TempFolder();
        var experiment = Write(folder);
        using var cache = new TempFolder();
        StartAndKillAfterFirstCheckpoint(cache, experiment, folder.File("killed"));

        // The format tag is the file's first string (a length byte, then the text): make it the retired one, and the
        // pointer vouch for the file, so only the format stands in the way.
        var checkpoints = Directory.GetDirectories(Path.Combine(cache.Path, "stages", ".checkpoints")).Single();
        var pointer = Path.Combine(checkpoints, "trainer-0.json");
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(pointer))!;
        var file = Path.Combine(checkpoints, record["file"]!.GetValue<string>());
        var bytes = File.ReadAllBytes(file);
        Assert.Equal("PIPECKPT3", System.Text.Encoding.UTF8.GetString(bytes, 1, 9));
        bytes[9] = (byte)version;
        File.WriteAllBytes(file, bytes);
        record["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        File.WriteAllText(pointer, record.ToJsonString());

        var rerun = Run(cache, experiment, folder.File("rerun"), checkpointEvery: Every);
        Assert.Contains($"checkpoint of stage gen is of the retired format PIPECKPT{version} ({lacks}); this build writes PIPECKPT3 (the stage's identity, flat Adam buffers and device random streams) and does not read it; recomputing from scratch", rerun.StandardOutput);
        Assert.DoesNotContain("resumed gen", rerun.StandardOutput);
    }

    /// <summary>
    /// A checkpoint records the identity of the stage that wrote it (experiment, source, stage, stage hash, kind, runtime
    /// build) after its format tag; one of another stage hash found in this stage's folder is refused, not resumed.
    /// </summary>
    [Fact]
    public void Resume_a_checkpoint_carries_its_stage_identity_and_one_of_another_stage_is_refused()
    {
        using var folder = new TempFolder();
        var experiment = Write(folder);
        using var cache = new TempFolder();
        StartAndKillAfterFirstCheckpoint(cache, experiment, folder.File("killed"));

        var checkpoints = Directory.GetDirectories(Path.Combine(cache.Path, "stages", ".checkpoints")).Single();
        var hash = Path.GetFileName(checkpoints);
        var pointer = Path.Combine(checkpoints, "trainer-0.json");
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(pointer))!;
        var file = Path.Combine(checkpoints, record["file"]!.GetValue<string>());
        var bytes = File.ReadAllBytes(file);
        using (var reader = new BinaryReader(new MemoryStream(bytes)))
        {
            Assert.Equal("PIPECKPT3", reader.ReadString());
            using var identity = JsonDocument.Parse(reader.ReadString());
            Assert.Equal("tiny", identity.RootElement.GetProperty("experiment").GetString());
            Assert.Matches("^[0-9a-f]{64}$", identity.RootElement.GetProperty("source_sha256").GetString());
            Assert.Equal("gen", identity.RootElement.GetProperty("stage").GetString());
            Assert.Equal(hash, identity.RootElement.GetProperty("stage_hash").GetString());
            Assert.Equal("flow_generator", identity.RootElement.GetProperty("stage_kind").GetString());
            Assert.Matches(@"^0\.1\.0\.0\+[0-9a-f]{16}$", identity.RootElement.GetProperty("runtime_build").GetString());
        }

        // Another stage's hash in the identity (same length, so the file stays well formed), the pointer vouching for it.
        var other = new string('0', 64);
        var at = bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(hash));
        System.Text.Encoding.ASCII.GetBytes(other).CopyTo(bytes, at);
        File.WriteAllBytes(file, bytes);
        record["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        File.WriteAllText(pointer, record.ToJsonString());

        var rerun = Run(cache, experiment, folder.File("rerun"), checkpointEvery: Every);
        Assert.Contains($"checkpoint of stage gen is unusable (file {Path.GetFileName(file)} belongs to stage gen of hash {other}, not {hash}); recomputing from scratch", rerun.StandardOutput);
        Assert.DoesNotContain("resumed gen", rerun.StandardOutput);
    }

    private const string AlignSource = """
        // A pretrained generator and a LoRA fine-tune of it on the preferred videos.
        experiment tinyalign {
          seed   = 3
          device = cpu

          data world = synthetic_videos {
            prompts      = 8
            eval_prompts = 4
            frames       = 4
            resolution   = [8, 8]
            generators   = 2
          }

          data prefs = preference_pairs {
            source = world.pairs(count: 64)
            split  = { train: 0.75, eval: 0.25 }
          }

          model base = flow_generator {
            width    = 16
            pretrain = { data: world.videos, steps: 20, lr: 1e-3, batch: 8 }
          }

          align sft = flow_sft {
            policy = base
            data   = prefs.train.winners
            steps  = 100
            batch  = 8
            lr     = 1e-4
            lora   = { rank: 2, alpha: 4 }
          }
        }

        """;

    private static string Write(TempFolder folder)
    {
        var path = folder.File("tiny.pipe");
        File.WriteAllText(path, Source);
        return path;
    }

    private static Dictionary<string, string?> Environment(int checkpointEvery, string? faults = null, bool cudaRandomPath = false) => new()
    {
        ["PIPELINE_CHECKPOINT_EVERY"] = checkpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PIPELINE_FAULTS"] = faults ?? string.Empty,
        ["OMP_NUM_THREADS"] = "1",
        ["PIPELINE_RANDOM_CHECK"] = cudaRandomPath ? "cuda" : string.Empty,
    };

    private static ProcessRunner.Result Run(TempFolder cache, string experiment, string output, int checkpointEvery, bool cudaRandomPath = false)
    {
        var result = PipelineCli.Run(["run", experiment, "--out", output, "--quiet"], cache.Path, environment: Environment(checkpointEvery, cudaRandomPath: cudaRandomPath));
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }

    /// <summary>Starts a run that checkpoints every <see cref="Every"/> steps, slowed to 20 ms a step, and SIGKILLs it once its first checkpoint is on disk.</summary>
    private static string StartAndKillAfterFirstCheckpoint(TempFolder cache, string experiment, string output, string stage = "gen", string signal = "KILL", bool cudaRandomPath = false)
    {
        var (process, all) = Start(cache, experiment, output, "step_delay_ms=20", cudaRandomPath);
        using var owned = process;
        WaitForCheckpoint(process, cache, stage);

        if (signal == "KILL")
        {
            process.Kill(); // SIGKILL on Linux: nothing in the process runs after it.
        }
        else
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        process.WaitForExit();
        Assert.Equal(signal == "KILL" ? 137 : 143, process.ExitCode);
        return all.Result;
    }

    /// <summary>Starts <c>pipeline run</c> checkpointing every <see cref="Every"/> steps, with the given faults; returns the process and its whole output.</summary>
    private static (Process Process, Task<string> Output) Start(TempFolder cache, string experiment, string output, string faults, bool cudaRandomPath = false)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var argument in new[] { PipelineCli.Assembly, "run", experiment, "--out", output, "--quiet" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PIPELINE_CACHE"] = cache.Path;
        foreach (var (key, value) in Environment(Every, faults, cudaRandomPath))
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        return (process, Task.WhenAll(stdout, stderr).ContinueWith(_ => stdout.Result + stderr.Result, TaskScheduler.Default));
    }

    private static void WaitForCheckpoint(Process process, TempFolder cache, string stage)
    {
        var checkpoints = Path.Combine(cache.Path, "stages", ".checkpoints");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!HasCheckpoint(checkpoints, stage))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the run ended (exit code {process.ExitCode}) before its first checkpoint of stage {stage}");
            }

            Assert.True(DateTime.UtcNow < deadline, "no checkpoint within 120 s");
            Thread.Sleep(20);
        }
    }

    private static bool HasCheckpoint(string checkpoints, string stage)
    {
        try
        {
            return Directory.Exists(checkpoints) && Directory.GetFiles(checkpoints, "trainer-0.json", SearchOption.AllDirectories)
                .Any(pointer => File.ReadAllText(pointer).Contains($"\"stage\":\"{stage}\"", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            // A stage finished and removed its checkpoints while we looked.
            return false;
        }
    }

    private static JsonElement Stage(string runFolder, string stage) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json"))).RootElement.GetProperty("stages").GetProperty(stage).Clone();

    /// <summary>results.json without what may differ between an uninterrupted and a resumed run: seconds, cached and resumed_from_step.</summary>
    private static string WithoutRunFacts(string runFolder) =>
        Regex.Replace(File.ReadAllText(Path.Combine(runFolder, "results.json")), @"""(seconds|cached|resumed_from_step)"": [^,\n]+", string.Empty);
}

using System.Text.RegularExpressions;
using Pipeline.Cli.Registry;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The run registry ($PIPELINE_CACHE/registry.db, docs/runs.md) filled by real runs of the three-stage test experiment
/// (tests/Cli.Tests/Experiments/cached.pipe, a few seconds a run), each test with a fresh temporary cache.
/// </summary>
public sealed class RunRegistryTests
{
    private static string Experiment => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "cached.pipe");

    [Fact]
    public void RunRegistry_runs_lists_real_runs_newest_first_and_compare_diffs_their_experiments_and_metrics()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var first = Run(cache, "run", Experiment, "--out", output.File("first"), "--quiet");
        Assert.Contains("run 1 recorded in " + Path.Combine(cache.Path, "registry.db"), first.StandardOutput);
        var second = Run(cache, "run", Experiment, "--set", "gen.width=16", "--out", output.File("second"), "--quiet");
        Assert.Contains("run 2 recorded in", second.StandardOutput);

        var list = Run(cache, "runs").StandardOutput.Split('\n');
        var rows = list.Where(l => Regex.IsMatch(l, @"^\s+\d+\s+cached\s")).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Matches(@"^\s+2\s+cached\s+succeeded\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\.\d s\s+.*gen\.loss_end \d", rows[0]);
        Assert.Matches(@"^\s+1\s+cached\s+succeeded\s", rows[1]);

        var compare = Run(cache, "compare", "1", "2").StandardOutput;
        Assert.Contains("run 2: cached (succeeded, " + Experiment + ", --set gen.width=16)", compare);
        Assert.Contains("  gen.width: 8 → 16", compare);
        Assert.Contains("stages with another hash: gen", compare);
        Assert.Matches(@"gen\.parameters\s+\d+ → \d+\s+\+\d+", compare);
        Assert.DoesNotContain("ae.loss_end", compare);

        var same = Run(cache, "compare", "1", "1").StandardOutput;
        Assert.Contains("  no semantic change\n", same);
        Assert.Matches(@"all \d+ metrics are equal", same);

        var unknown = PipelineCli.Run(["compare", "1", "7"], cache.Path);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error PIPE4301: there is no run 7 in the registry (the newest is run 2; pipeline runs lists them).", unknown.StandardError.Trim());
        Assert.DoesNotContain("   at ", unknown.All);
    }

    [Fact]
    public void RunRegistry_two_concurrent_processes_are_both_recorded()
    {
        using var cache = new TempFolder();
        using var output = new TempFolder();
        var runs = new[] { "8", "16" }.AsParallel().WithDegreeOfParallelism(2)
            .Select(width => PipelineCli.Run(["run", Experiment, "--set", $"gen.width={width}", "--out", output.File(width), "--quiet"], cache.Path))
            .ToArray();
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.All));

        using var registry = new RunRegistry(Path.Combine(cache.Path, "registry.db"));
        var recorded = registry.List();
        Assert.Equal(2, recorded.Count);
        Assert.All(recorded, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(["gen.width=16", "gen.width=8"], recorded.Select(r => r.Overrides.Single()).Order(StringComparer.Ordinal));
        Assert.All(recorded, r => Assert.Equal(["ae", "gen", "world"], r.Stages.Select(s => s.Name)));
        Assert.All(recorded, r => Assert.Contains("gen.loss_end", r.Metrics.Keys));
    }

    [Fact]
    public void RunRegistry_two_connections_writing_at_once_lose_no_run()
    {
        using var folder = new TempFolder();
        var path = folder.File("registry.db");
        const int perWriter = 25;
        Parallel.For(0, 2, writer =>
        {
            using var registry = new RunRegistry(path);
            for (var i = 0; i < perWriter; i++)
            {
                var stages = new[] { new RunStage("s", "k", new string('a', 64)) };
                var id = registry.Start(new RunStart($"writer{writer}", "x.pipe", "sha", "experiment x {}", [$"i={i}"], "out", stages), DateTime.UtcNow);
                registry.Finish(id, RunStatus.Succeeded, DateTime.UtcNow, null, [stages[0] with { Cached = false, Seconds = 1 }], """{"stages": {"s": {"metrics": {"loss": 0.5}}}}""");
            }
        });

        using var reader = new RunRegistry(path);
        var runs = reader.List();
        Assert.Equal(2 * perWriter, runs.Count);
        Assert.Equal(2 * perWriter, runs.Select(r => r.Id).Distinct().Count());
        Assert.All(runs, r => Assert.Equal(0.5, r.Metrics["s.loss"]));
    }

    private static ProcessRunner.Result Run(TempFolder cache, params string[] arguments)
    {
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }
}

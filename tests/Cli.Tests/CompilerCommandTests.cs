using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>compile, inspect, graph, run X.dll, and what check and diff gain from the compiler, through the real CLI.</summary>
public sealed class CompilerCommandTests
{
    private const string World = "experiment w {\n  seed = 3\n\n  data world = synthetic_videos {\n    prompts = 4\n    eval_prompts = 4\n    frames = 4\n    resolution = [8, 8]\n    generators = 2\n  }\n\n  model gen = flow_generator {\n    pretrain = { data: world.videos, steps: 5 }\n    width = 16\n  }\n}\n";

    [Fact]
    public void Compile_is_deterministic_across_folders_and_inspect_prints_the_hashes()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("w.pipe"), World);
        var one = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("one")], folder.File("cache-one"));
        var two = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("two")], folder.File("cache-two"));
        Assert.True(one.ExitCode == 0, one.All);
        Assert.True(two.ExitCode == 0, two.All);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.Path, "one", "w.dll")), File.ReadAllBytes(Path.Combine(folder.Path, "two", "w.dll")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "one", "w.pdb")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "one", "w.g.cs")));

        var cached = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("three")], folder.File("cache-one"));
        Assert.Contains("(from cache)", cached.StandardOutput);

        var hash = one.StandardOutput.Split('\n').Single(l => l.StartsWith("source sha256 ", StringComparison.Ordinal))["source sha256 ".Length..];
        var inspect = PipelineCli.Run(["inspect", Path.Combine(folder.Path, "one", "w.dll")], folder.File("cache-one"));
        Assert.True(inspect.ExitCode == 0, inspect.All);
        Assert.Contains("source sha256     " + hash, inspect.StandardOutput);
        Assert.Matches(@"\n  world  synthetic_videos +[0-9a-f]{64}\n", inspect.StandardOutput);
        Assert.Contains("model gen = flow_generator {", inspect.StandardOutput);
    }

    [Fact]
    public void Graph_prints_mermaid_and_dot()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("w.pipe"), World);
        var mermaid = PipelineCli.Run(["graph", folder.File("w.pipe")], folder.File("cache"));
        Assert.True(mermaid.ExitCode == 0, mermaid.All);
        Assert.StartsWith("flowchart LR\n", mermaid.StandardOutput);
        var dot = PipelineCli.Run(["graph", folder.File("w.pipe"), "--format", "dot"], folder.File("cache"));
        Assert.Contains("\"world\" -> \"gen\";", dot.StandardOutput);
    }

    [Fact]
    public void Graph_takes_set_overrides()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("w.pipe"), World.Replace("  model gen", "  data other = synthetic_videos {\n    prompts = 4\n  }\n\n  model gen", StringComparison.Ordinal));
        var graph = PipelineCli.Run(["graph", folder.File("w.pipe"), "--format", "dot", "--set", "gen.pretrain.data=other.videos"], folder.File("cache"));
        Assert.True(graph.ExitCode == 0, graph.All);
        Assert.Contains("\"other\" -> \"gen\";", graph.StandardOutput);
        Assert.DoesNotContain("\"world\" -> \"gen\";", graph.StandardOutput);
        var bad = PipelineCli.Run(["graph", folder.File("w.pipe"), "--set", "gen.pretrain.data=nope.videos"], folder.File("cache"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--set gen.pretrain.data:1:1: error PIPE1001: No stage is named 'nope'", bad.StandardError);
    }

    [Fact]
    public void Compile_point_chooses_one_sweep_point_the_same_experiment_as_setting_its_values()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("w.pipe"), World.Replace("width = 16", "width = sweep [16, 24]", StringComparison.Ordinal).Replace("seed = 3", "seed = sweep [1, 2]", StringComparison.Ordinal));
        var all = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("all")], folder.File("cache"));
        Assert.Equal(1, all.ExitCode);
        Assert.Contains("error PIPE3005: The experiment sweeps 4 points and one assembly holds one point; choose one with --point N (N from 0 to 3) or by its values with --set gen.width=VALUE --set seed=VALUE", all.StandardOutput);

        // Points are numbered as run numbers them: the first axis by path (gen.width) varies slowest.
        var point = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("point"), "--point", "2"], folder.File("cache"));
        Assert.True(point.ExitCode == 0, point.All);
        Assert.StartsWith("point 2: gen.width = 24, seed = 1\n", point.StandardOutput);
        var values = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("values"), "--set", "gen.width=24", "--set", "seed=1"], folder.File("cache-values"));
        Assert.True(values.ExitCode == 0, values.All);
        string Hash(string output) => output.Split('\n').Single(l => l.StartsWith("source sha256 ", StringComparison.Ordinal));
        Assert.Equal(Hash(values.StandardOutput), Hash(point.StandardOutput));

        var outside = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("x"), "--point", "4"], folder.File("cache"));
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("--point 4 is not a point of the sweep; choose 0 to 3.", outside.StandardError);
        File.WriteAllText(folder.File("plain.pipe"), World);
        var none = PipelineCli.Run(["compile", folder.File("plain.pipe"), "-o", folder.File("x"), "--point", "0"], folder.File("cache"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("the experiment has no sweep", none.StandardError);
    }

    [Fact]
    public void Check_reports_binding_errors_and_the_sweep_count()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.pipe"), World.Replace("width = 16", "widht = 16", StringComparison.Ordinal));
        File.WriteAllText(folder.File("sweep.pipe"), World.Replace("width = 16", "width = sweep [16, 32]", StringComparison.Ordinal).Replace("seed = 3", "seed = sweep [1, 2, 3]", StringComparison.Ordinal));
        var bad = PipelineCli.Run(["check", folder.File("bad.pipe")], folder.File("cache"));
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith(folder.File("bad.pipe") + ":14:5: error PIPE1005: ", bad.StandardOutput);
        Assert.Contains("did you mean 'width'", bad.StandardOutput);
        var sweep = PipelineCli.Run(["check", folder.File("sweep.pipe")], folder.File("cache"));
        Assert.True(sweep.ExitCode == 0, sweep.All);
        Assert.Contains("sweep expands into 6 runs (gen.width: 2 × seed: 3)", sweep.StandardOutput);
    }

    [Fact]
    public void Diff_shows_resolved_values_and_the_invalidated_stages()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("a.pipe"), World);
        File.WriteAllText(folder.File("b.pipe"), World.Replace("width = 16", "width = 24", StringComparison.Ordinal));
        var diff = PipelineCli.Run(["diff", folder.File("a.pipe"), folder.File("b.pipe")], folder.File("cache"));
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("resolved (defaults filled in):\n  gen.width: 16 → 24\n", diff.StandardOutput);
        Assert.Matches(@"invalidated stages:\n  gen: [0-9a-f]{12} → [0-9a-f]{12}\n$", diff.StandardOutput);
    }

    [Fact]
    public void Run_takes_a_compiled_assembly_and_a_set_override()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("w.pipe"), World);
        var compile = PipelineCli.Run(["compile", folder.File("w.pipe"), "-o", folder.File("bin"), "--set", "world.prompts=6"], folder.File("cache"));
        Assert.True(compile.ExitCode == 0, compile.All);
        var run = PipelineCli.Run(["run", Path.Combine(folder.Path, "bin", "w.dll"), "--stage", "world", "--out", folder.File("out")], folder.File("cache"));
        Assert.True(run.ExitCode == 0, run.All);
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("out/results.json")));
        Assert.Equal("w", json.RootElement.GetProperty("experiment").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal("synthetic_videos", json.RootElement.GetProperty("stages").GetProperty("world").GetProperty("kind").GetString());

        var badSet = PipelineCli.Run(["run", folder.File("w.pipe"), "--set", "world.prompts=0"], folder.File("cache"));
        Assert.Equal(1, badSet.ExitCode);
        Assert.Contains("--set world.prompts:1:1: error PIPE2002", badSet.StandardOutput);
    }
}

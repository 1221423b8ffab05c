using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary><c>pipeline kinds [KIND] [--markdown]</c> through the real CLI, and docs/kinds.md, which is its output.</summary>
public sealed class KindsCommandTests
{
    [Fact]
    public void Kinds_lists_every_kind_and_the_experiment_properties()
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["kinds"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("\n  data      synthetic_videos  World ", result.StandardOutput);
        Assert.Contains("\n  evaluate  win_rates         Report ", result.StandardOutput);
        Assert.Contains("\n  device: auto | cpu | cuda | \"cuda:N\" = auto\n", result.StandardOutput);
    }

    [Fact]
    public void Kinds_of_one_kind_lists_its_properties_types_ranges_defaults_and_docs()
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["kinds", "flow_dpo"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.StartsWith("align NAME = flow_dpo { ... } produces a Generator.\n", result.StandardOutput);
        Assert.Contains("\n  policy: reference to a Generator (required)\n      The generator to fine-tune.\n", result.StandardOutput);
        Assert.Contains("\n  beta: number in (0, inf) | timestep(beta: number in (0, inf)) = 500.0\n", result.StandardOutput);
        Assert.Contains("\n  lr: number in (0, 1) = 0.0001\n", result.StandardOutput);
        Assert.Contains("\n    lora.rank: integer in [1, 1024] = 64\n", result.StandardOutput);

        var world = PipelineCli.Run(["kinds", "synthetic_videos"], cache.Path);
        Assert.Contains("\nMembers, written NAME.MEMBER:\n", world.StandardOutput);
        Assert.Contains("\n  pairs(count: integer in [1, 10000000]): PairSource\n", world.StandardOutput);
    }

    [Fact]
    public void An_unknown_kind_is_a_usage_error_that_names_the_kinds()
    {
        using var cache = new TempFolder();
        var close = PipelineCli.Run(["kinds", "flow_dop"], cache.Path);
        Assert.Equal(2, close.ExitCode);
        Assert.Contains("'flow_dop' is not a stage kind; use one of the catalogue's kinds (did you mean 'flow_dpo'?).", close.StandardError);
        var far = PipelineCli.Run(["kinds", "qqqq"], cache.Path);
        Assert.Equal(2, far.ExitCode);
        Assert.Contains(": synthetic_videos, preference_pairs, pairs_filter, autoencoder,", far.StandardError);
    }

    [Fact]
    public void Docs_kinds_md_is_the_output_of_kinds_markdown()
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["kinds", "--markdown"], cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        var committed = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "kinds.md"));
        Assert.True(committed == result.StandardOutput, "docs/kinds.md is stale: run ./pipeline kinds --markdown > docs/kinds.md");
    }
}

using Pipeline.Runtime.Execution;

namespace Pipeline.Runtime.Tests.Experiments;

/// <summary>The order a run executes its stages in.</summary>
public sealed class StageOrderTests
{
    [Fact]
    public void Stages_that_depend_on_nothing_run_first_so_an_unreadable_data_file_fails_before_training()
    {
        // "ae" trains on the world; "z_pairs" reads a pair file. By name alone ae would run before z_pairs.
        var stages = new[]
        {
            Stage("ae", "world"),
            Stage("world"),
            Stage("z_pairs"),
            Stage("reward", "z_pairs", "ae"),
        };

        Assert.Equal(["world", "z_pairs", "ae", "reward"], ExperimentRunner.TopologicalOrder(stages).Select(s => s.Name));
    }

    private static StageInfo Stage(string name, params string[] dependencies) => new(name, "kind", new string('0', 64), dependencies, "x.pipe:1:1");
}

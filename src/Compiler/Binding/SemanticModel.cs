using System.Collections.Immutable;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>The bound experiment: its stages (inline ones included) with resolved properties, the DAG, sweeps and hashes.</summary>
public sealed class SemanticModel
{
    internal SemanticModel(string name, int seed, string device, ImmutableArray<StageSymbol> stages, ImmutableArray<SweepAxis> sweeps, TextSpan nameSpan, string path)
    {
        Name = name;
        Seed = seed;
        Device = device;
        Stages = stages;
        Sweeps = sweeps;
        NameSpan = nameSpan;
        Path = path;
    }

    public string Name { get; }

    public int Seed { get; }

    public string Device { get; }

    /// <summary>How many times the whole experiment runs, one run per seed (<c>replicates = N</c>; 1 when not written).</summary>
    public int Replicates { get; internal set; } = 1;

    /// <summary>The seeds of the replicates: seed, seed + 1, ..., seed + <see cref="Replicates"/> − 1. The first is the experiment's own seed.</summary>
    public ImmutableArray<int> ReplicateSeeds => Enumerable.Range(0, Replicates).Select(k => Seed + k).ToImmutableArray();

    /// <summary>The declared expectations that bound, ordinally sorted by their canonical text.</summary>
    public ImmutableArray<BoundExpectation> Expectations { get; internal set; } = ImmutableArray<BoundExpectation>.Empty;

    /// <summary>Every stage, ordinally sorted by name.</summary>
    public ImmutableArray<StageSymbol> Stages { get; }

    /// <summary>Sweep axes, ordinally sorted by path.</summary>
    public ImmutableArray<SweepAxis> Sweeps { get; }

    /// <summary>More runs than this is a mistake (PIPE2020): a dry run alone would compile every point.</summary>
    public const long MaxSweepRuns = 1_000_000;

    /// <summary>How many runs the sweeps expand into: the product of the axes' sizes (1 without sweeps), at most long.MaxValue.</summary>
    public long SweepCount => Runs(Sweeps);

    internal static long Runs(IEnumerable<SweepAxis> axes) =>
        axes.Aggregate(1L, (count, axis) => count > long.MaxValue / Math.Max(1, axis.Points.Length) ? long.MaxValue : count * Math.Max(1, axis.Points.Length));

    public TextSpan NameSpan { get; }

    public string Path { get; }

    /// <summary>Binding and type diagnostics (not syntax ones).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; internal set; } = ImmutableArray<Diagnostic>.Empty;

    /// <summary>True when the stage graph has a cycle (then no stage hashes are computed).</summary>
    public bool HasCycle { get; internal set; }

    public StageSymbol? FindStage(string name) => Stages.FirstOrDefault(s => s.Name == name);

    /// <summary>The stages that read <paramref name="name"/>.</summary>
    public IEnumerable<StageSymbol> Dependents(string name) => Stages.Where(s => s.Dependencies.Contains(name));

    /// <summary>Stages in dependency order, ties broken by name (the order the runtime runs them).</summary>
    public ImmutableArray<StageSymbol> TopologicalOrder()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = ImmutableArray.CreateBuilder<StageSymbol>();
        var progress = true;
        while (progress)
        {
            progress = false;
            foreach (var stage in Stages)
            {
                if (!done.Contains(stage.Name) && stage.Dependencies.All(done.Contains))
                {
                    done.Add(stage.Name);
                    order.Add(stage);
                    progress = true;
                    break;
                }
            }
        }

        return order.ToImmutable();
    }
}

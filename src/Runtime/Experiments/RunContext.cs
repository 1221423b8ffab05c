using System.Diagnostics;
using Pipeline.Runtime.Backend;
using Pipeline.Runtime.Caching;
using Pipeline.Runtime.Training;

namespace Pipeline.Runtime.Experiments;

/// <summary>
/// The state one run shares between stages: seed, device, output folder, the experiment file's folder (data paths
/// are relative to it), and the outputs of the stages that ran so far. Generated code reads its inputs from here.
/// </summary>
public sealed class RunContext
{
    private readonly Dictionary<string, StageOutput> outputs = new(StringComparer.Ordinal);
    private readonly Action<string> log;

    public RunContext(ExperimentInfo info, string outputDirectory, string sourceDirectory, Action<string>? log = null)
    {
        Info = info;
        OutputDirectory = outputDirectory;
        SourceDirectory = sourceDirectory;
        Seed = info.Seed;
        Device = DeviceSpec.TryParse(info.Device, out var device) ? device : throw new PipelineException(RuntimeDiagnosticCodes.DeviceUnavailable, $"unknown device '{info.Device}'; use auto, cpu, cuda or cuda:N.");
        this.log = log ?? Console.WriteLine;
    }

    public ExperimentInfo Info { get; }

    public string OutputDirectory { get; }

    public string SourceDirectory { get; }

    public int Seed { get; }

    public DeviceSpec Device { get; }

    public IReadOnlyDictionary<string, StageOutput> Outputs => outputs;

    /// <summary>The stage cache, when the run uses one (<c>pipeline run</c> does): stages whose hash is cached are loaded, not run.</summary>
    public StageCache? Cache { get; set; }

    public void Log(string message) => log(message);

    /// <summary>
    /// Receives every training step (a live progress display in a terminal); when null, training stages log a plain
    /// line about ten times per stage instead.
    /// </summary>
    public Action<StageStep>? StepReporter { get; set; }

    /// <summary>The artifact of an upstream stage, which must have run (or been loaded from the cache) already.</summary>
    public T Input<T>(string stage)
        where T : class
    {
        if (!outputs.TryGetValue(stage, out var output))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.StageInputMissing, $"stage '{stage}' has not run in this process and is not cached; run the whole experiment, or the stage '{stage}' first.") { Stage = stage };
        }

        return ArtifactReference.As<T>(output.Artifact) ?? throw new InvalidOperationException($"stage '{stage}' produced {output.Artifact.GetType().Name}, not {typeof(T).Name}");
    }

    /// <summary>
    /// An upstream artifact or a member of it, as a dotted reference reads: <c>world.pairs(count: 4096)</c> is
    /// <c>Reference&lt;PairSource&gt;("world", new ReferenceStep("pairs", new ReferenceArgument("count", 4096L)))</c>.
    /// </summary>
    public T Reference<T>(string stage, params ReferenceStep[] steps)
        where T : class
    {
        var value = ArtifactReference.Follow(Input<object>(stage), steps);
        return ArtifactReference.As<T>(value) ?? throw new InvalidOperationException($"'{stage}' followed by {steps.Length} step(s) gave {value.GetType().Name}, not {typeof(T).Name}");
    }

    /// <summary>Results sections beside "stages" in results.json (reward_accuracy, oracle_accuracy, win_rates), filled by stages.</summary>
    public SortedDictionary<string, object?> ResultSections { get; } = new(StringComparer.Ordinal);

    /// <summary>A path from the experiment file, resolved against the file's folder.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(SourceDirectory, path));

    /// <summary>A seed for one stage that depends only on the experiment seed and the stage name.</summary>
    public int StageSeed(string stage)
    {
        unchecked
        {
            var hash = (uint)Seed * 2654435761u;
            foreach (var c in stage)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (int)(hash & 0x7fffffff);
        }
    }

    /// <summary>Records a stage's output so that downstream stages can read it.</summary>
    public void Complete(StageOutput output) => outputs[output.Stage] = output;

    /// <summary>
    /// Runs one stage, or loads it from the <see cref="Cache"/> when its hash is cached there (inputs that have not run
    /// in this process are loaded from the cache too), and records its output.
    /// </summary>
    public StageOutput RunStage(IExperiment experiment, string name) =>
        Cache is null ? RunUncached(experiment, name) : CachedStageRunner.Run(this, Cache, experiment, name);

    /// <summary>Runs one stage through the experiment, timing it and recording its output; the cache is not consulted.</summary>
    public StageOutput RunUncached(IExperiment experiment, string name)
    {
        var watch = Stopwatch.StartNew();
        Log($"stage {name}: running");

        // With a stage cache, training stages checkpoint under it, keyed by the stage hash: a run killed midway
        // resumes there (docs/runs.md). The checkpoints go once the stage has returned.
        using var checkpoints = Cache is not null && Info.FindStage(name) is { } stage
            ? TrainingCheckpoints.Begin(Path.Combine(Cache.Root, ".checkpoints", stage.Hash), name, Log)
            : null;
        var output = experiment.RunStage(name, this);
        output.ResumedFromStep ??= checkpoints?.ResumedFromStep;
        checkpoints?.Complete();
        output.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        Complete(output);
        Log($"stage {name}: done in {output.Seconds:0.0} s");
        return output;
    }
}

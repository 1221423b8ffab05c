using System.Diagnostics;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Execution;

/// <summary>
/// The state one run shares between stages (<see cref="StageContext"/>: seed, device, folders, the outputs so far),
/// with what executing the compiled experiment needs beside it: the experiment's description, the stage cache, and
/// the stage inputs generated code reads.
/// </summary>
public sealed class RunContext : StageContext
{
    public RunContext(ExperimentInfo info, string outputDirectory, string sourceDirectory, Action<string>? log = null)
        : base(info.Seed, ParseDevice(info), outputDirectory, sourceDirectory, log)
    {
        Info = info;
    }

    public ExperimentInfo Info { get; }

    /// <summary>The stage cache, when the run uses one (<c>pipeline run</c> does): stages whose hash is cached are loaded, not run.</summary>
    public StageCache? Cache { get; set; }

    /// <summary>The identity of one of this run's stages, which its model files and its training checkpoints record.</summary>
    public ModelProvenance Provenance(StageInfo stage) => new(Info.Name, Info.SourceSha256, stage.Name, stage.Hash, stage.Kind);

    /// <inheritdoc />
    public override string? VideoStoreRoot => Cache?.VideoStoreRoot;

    /// <summary>
    /// The artifact of an upstream stage, which must have run (or been loaded from the cache) already, as the runtime
    /// type its kind produces (the catalogue's); generated code follows a dotted reference from it with typed calls:
    /// <c>world.pairs(count: 300)</c> is <c>context.Input&lt;World&gt;("world").Pairs(count: 300)</c>.
    /// </summary>
    public T Input<T>(string stage)
        where T : class
    {
        if (!Outputs.TryGetValue(stage, out var output))
        {
            throw RuntimeErrors.StageInputMissing(stage);
        }

        return output.Artifact as T ?? throw new InvalidOperationException($"stage '{stage}' produced {output.Artifact.GetType().Name}, not {typeof(T).Name}; the catalogue and the runtime disagree");
    }

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
            ? TrainingCheckpoints.Begin(Path.Combine(Cache.Root, ".checkpoints", stage.Hash), Provenance(stage), Log)
            : null;
        var output = experiment.RunStage(name, this);
        output.ResumedFromStep ??= checkpoints?.ResumedFromStep;
        checkpoints?.Complete();
        output.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        Complete(output);
        Log($"stage {name}: done in {output.Seconds:0.0} s");
        return output;
    }

    private static DeviceSpec ParseDevice(ExperimentInfo info) =>
        DeviceSpec.TryParse(info.Device, out var device) ? device : throw RuntimeErrors.UnknownDevice(info.Device);
}

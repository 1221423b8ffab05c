using Microsoft.ML;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// What a stage sees of the run it belongs to: the seed, the device, the output folder, the experiment file's folder
/// (data paths are relative to it), the outputs of the stages that ran so far, the results sections of results.json,
/// the log and the progress display. The run itself (<c>RunContext</c>: the compiled experiment, the stage
/// cache, checkpoints) derives from it, so stage kinds need nothing of how a run is executed.
/// </summary>
public abstract class StageContext
{
    private readonly Dictionary<string, StageOutput> outputs = new(StringComparer.Ordinal);
    private readonly Action<string> log;

    protected StageContext(int seed, DeviceSpec device, string outputDirectory, string sourceDirectory, Action<string>? log)
    {
        Seed = seed;
        Device = device;
        OutputDirectory = outputDirectory;
        SourceDirectory = sourceDirectory;
        this.log = log ?? Console.WriteLine;
    }

    public string OutputDirectory { get; }

    public string SourceDirectory { get; }

    public int Seed { get; }

    public DeviceSpec Device { get; }

    public IReadOnlyDictionary<string, StageOutput> Outputs => outputs;

    public void Log(string message) => log(message);

    /// <summary>
    /// Receives every training step (a live progress display in a terminal); when null, training stages log a plain
    /// line about ten times per stage instead.
    /// </summary>
    public Action<StageStep>? StepReporter { get; set; }

    /// <summary>
    /// Receives the progress of work that is not training (decoding videos) for a live progress display in a terminal;
    /// when null, stages log a plain line now and then instead.
    /// </summary>
    public Action<StageWork>? WorkReporter { get; set; }

    /// <summary>
    /// Where decoded-video stores live (the stage cache's <c>.videos</c> folder), or null when the run has no cache:
    /// then file videos are decoded into memory on every run.
    /// </summary>
    public virtual string? VideoStoreRoot => null;

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

    /// <summary>The ML.NET context of one stage, seeded like its random numbers; its catalogs make the stage's estimator (<c>MLContextCatalogs</c>).</summary>
    public MLContext MLContextFor(string stage) => new(seed: StageSeed(stage));

    /// <summary>Records a stage's output so that downstream stages can read it.</summary>
    public void Complete(StageOutput output) => outputs[output.Stage] = output;
}

namespace Pipeline.Runtime.Kinds;

/// <summary>What a stage produced: its artifact (a world, a model, a report), its metrics, and how it ran.</summary>
public sealed class StageOutput
{
    public StageOutput(string stage, string kind, object artifact)
    {
        Stage = stage;
        Kind = kind;
        Artifact = artifact;
    }

    public string Stage { get; }

    public string Kind { get; }

    /// <summary>The stage's result, of the runtime type its kind produces.</summary>
    public object Artifact { get; }

    /// <summary>Numbers for results.json: losses, accuracies, statistics. Values are numbers, strings or nested maps.</summary>
    public SortedDictionary<string, object?> Metrics { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// For a data stage that reads files whose content its stage hash does not cover (the videos a pair file names):
    /// a hash of that content. The stage cache records it in the entries of the stages downstream and recomputes them
    /// when it changes.
    /// </summary>
    public string? DataFingerprint { get; set; }

    public double Seconds { get; set; }

    public bool Cached { get; set; }

    public long? ResumedFromStep { get; set; }
}

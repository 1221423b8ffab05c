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

    public double Seconds { get; set; }

    public bool Cached { get; set; }

    public long? ResumedFromStep { get; set; }
}

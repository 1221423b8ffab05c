namespace Pipeline.Runtime.Core;

/// <summary>
/// Where a model's weights come from: the experiment, its source SHA-256, the stage (name, hash, kind) that trained
/// them and the runtime build (<see cref="RuntimeAssembly.Build"/>). Model files record it in their metadata
/// (docs/contracts.md, "Model files"), training checkpoints beside their weights (docs/runs.md). A file exported by a
/// run of another source than the one that trained it (the stage was reused from the cache) also names the exporting
/// run's experiment and source (<see cref="ExportExperiment"/>, <see cref="ExportSourceSha256"/>).
/// </summary>
public sealed record ModelProvenance(string Experiment, string SourceSha256, string Stage, string StageHash, string StageKind)
{
    public string RuntimeBuild { get; init; } = RuntimeAssembly.Build;

    public string? ExportExperiment { get; init; }

    public string? ExportSourceSha256 { get; init; }

    /// <summary>This provenance as exported by a run of <paramref name="experiment"/> with source <paramref name="sourceSha256"/>.</summary>
    public ModelProvenance ExportedBy(string experiment, string sourceSha256) =>
        this with { ExportExperiment = experiment, ExportSourceSha256 = sourceSha256 };
}

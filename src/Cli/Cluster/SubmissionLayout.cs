namespace Pipeline.Cli.Cluster;

/// <summary>
/// Where a submission keeps its files on the shared filesystem (docs/cluster.md):
/// <code>
/// SHARED/cache/                          PIPELINE_CACHE of every job: stage cache, checkpoints, native libraries
/// SHARED/runs/NAME/scripts/JOB.sbatch    the job scripts as submitted
/// SHARED/runs/NAME/logs/JOB-ID.log       one log per task (appended to when a task is requeued)
/// SHARED/runs/NAME/assemblies/point-N/   the compiled experiment of each sweep point
/// SHARED/runs/NAME/stages/STAGE/HASH/    each stage job's --out (its results.json: how the stage ran)
/// SHARED/runs/NAME/point-N/              results.json and report.md of each point (NAME/ itself without a sweep)
/// SHARED/runs/NAME/seed-S/               the same, of each seed of a replicate set (whose own files are in NAME/)
/// </code>
/// </summary>
/// <param name="sharedDirectory">--shared-dir.</param>
/// <param name="name">The submission's folder name under SHARED/runs.</param>
/// <param name="pointFolders">For a replicate set, each point's (seed's) folder name under NAME/; null otherwise.</param>
internal sealed class SubmissionLayout(string sharedDirectory, string name, IReadOnlyList<string>? pointFolders = null)
{
    public string SharedDirectory { get; } = Path.GetFullPath(sharedDirectory);

    public string Cache => Path.Combine(SharedDirectory, "cache");

    public string Root => Path.Combine(SharedDirectory, "runs", name);

    public string Logs => Path.Combine(Root, "logs");

    public string StageRecords => Path.Combine(Root, "stages");

    public string Script(PlannedJob job) => Path.Combine(Root, "scripts", FileName(job) + ".sbatch");

    /// <summary>The <c>--output</c> pattern: <c>%j</c> is the job id, <c>%A_%a</c> the array's id and the task's index.</summary>
    public string LogPattern(PlannedJob job) => Path.Combine(Logs, FileName(job) + (job.IsArray ? "-%A_%a.log" : "-%j.log"));

    public string Log(PlannedJob job, string arrayOrJobId, int task) =>
        Path.Combine(Logs, FileName(job) + (job.IsArray ? $"-{arrayOrJobId}_{task}.log" : $"-{arrayOrJobId}.log"));

    public string AssemblyFolder(int point) => Path.Combine(Root, "assemblies", $"point-{point}");

    public string PointOutput(int point, bool sweep) =>
        pointFolders is not null ? Path.Combine(Root, pointFolders[point]) : sweep ? Path.Combine(Root, $"point-{point}") : Root;

    /// <summary>Stage jobs are prefixed, so a stage named "results" never meets the results job's files.</summary>
    private static string FileName(PlannedJob job) => job.Stage is null ? job.Name : "stage-" + job.Stage;
}

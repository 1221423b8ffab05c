using System.Text;

namespace Pipeline.Cli.Cluster;

/// <summary>The resources and paths every job of a submission shares.</summary>
/// <param name="Experiment">The experiment's name, the prefix of every job name.</param>
/// <param name="Partition">--partition, or null for the cluster's default.</param>
/// <param name="Gpus">GPUs per job (0: none requested).</param>
/// <param name="Time">--time, or null for the partition's default limit.</param>
/// <param name="Cpus">--cpus-per-task, or null for the cluster's default (one CPU per task on most clusters).</param>
/// <param name="Cli">The command that runs <c>pipeline</c> on a node: <c>dotnet …/pipeline.dll</c>, at the path it has here.</param>
/// <param name="DataDirectory">The experiment file's folder, against which its data paths resolve.</param>
/// <param name="Replicates">For a replicate set: its seeds and its source hash, which the last job writes the set with.</param>
internal sealed record JobSettings(string Experiment, string? Partition, int Gpus, string? Time, IReadOnlyList<string> Cli, string DataDirectory, int? Cpus = null, SubmittedReplicates? Replicates = null);

/// <summary>A replicate set's seeds (point i runs seed Seeds[i]) and the source hash of the experiment as submitted.</summary>
internal sealed record SubmittedReplicates(IReadOnlyList<long> Seeds, string SourceSha256);

/// <summary>
/// Renders the sbatch script of one job. Everything a cluster admin looks for is in the <c>#SBATCH</c> header: a
/// name, one task, the GPUs the experiment's device needs, the partition and time limit given, one log per task, and
/// <c>--requeue</c> with the log opened for appending. A requeued task runs the same command again, and
/// <c>pipeline run --stage</c> then resumes the stage from its checkpoint in the shared cache (or loads it, when the
/// stage had finished). Dependencies are given to sbatch on its command line, since they are job ids known only then.
/// </summary>
internal static class SbatchScript
{
    public static string Render(PlannedJob job, SubmissionLayout layout, JobSettings settings, IReadOnlyList<string> assemblies, bool sweep)
    {
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        var set = job.Name == JobGraph.ReplicatesJobName && job.Stage is null;
        var what = set ? "results.json and report.md of the replicate set" : job.Stage is null ? "results.json and report.md of each point" : $"stage '{job.Stage}' ({job.Kind})";
        text.Append($"# pipeline submit: {what} of experiment {settings.Experiment}; ");
        text.Append(set ? $"seeds {string.Join(",", settings.Replicates!.Seeds)}\n" : job.IsArray ? $"task i serves sweep point(s) {string.Join(" | ", job.Tasks.Select(t => string.Join(",", t.Points)))}\n" : $"sweep point(s) {string.Join(",", job.Tasks[0].Points)}\n");
        Directive(text, "job-name", $"{settings.Experiment}.{job.Name}");
        if (job.IsArray)
        {
            Directive(text, "array", $"0-{job.Tasks.Count - 1}");
        }

        Directive(text, "ntasks", "1");
        if (settings.Gpus > 0)
        {
            Directive(text, "gpus-per-task", settings.Gpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (settings.Cpus is { } cpus)
        {
            Directive(text, "cpus-per-task", cpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (settings.Partition is not null)
        {
            Directive(text, "partition", settings.Partition);
        }

        if (settings.Time is not null)
        {
            Directive(text, "time", settings.Time);
        }

        Directive(text, "output", layout.LogPattern(job));
        Directive(text, "open-mode", "append");
        Directive(text, "requeue", null);
        Directive(text, "kill-on-invalid-dep", "yes");
        Directive(text, "chdir", layout.Root);
        text.Append("set -euo pipefail\n");
        text.Append($"# Every node shares one stage cache; the registry is written by the submitting host only (docs/cluster.md).\n");
        text.Append($"export PIPELINE_CACHE={Quote(layout.Cache)}\n");
        text.Append($"export {Registry.RunRecorder.Variable}=off\n");
        if (settings.Cpus is not null)
        {
            // libtorch sizes its thread pool from the machine's cores, not from the job's share of them.
            text.Append("export OMP_NUM_THREADS=\"$SLURM_CPUS_PER_TASK\"\n");
        }

        if (set)
        {
            var replicates = settings.Replicates!;
            text.Append($"exec {Command(settings.Cli)} replicates {Quote(layout.Root)} --assembly {Quote(assemblies[0])} --source-sha256 {replicates.SourceSha256} --seeds {string.Join(",", replicates.Seeds)}\n");
            return text.ToString();
        }

        text.Append("task=\"${SLURM_ARRAY_TASK_ID:-0}\"\n");
        text.Append($"assemblies=({string.Join(' ', job.Tasks.Select(t => Quote(assemblies[t.Point])))})\n");
        if (job.Stage is null)
        {
            text.Append($"outs=({string.Join(' ', job.Tasks.Select(t => Quote(layout.PointOutput(t.Point, sweep))))})\n");
            text.Append("echo \"pipeline: results of sweep point task $task on $(hostname), restart ${SLURM_RESTART_COUNT:-0}\"\n");
            text.Append($"exec {Command(settings.Cli)} run \"${{assemblies[$task]}}\" --out \"${{outs[$task]}}\" --data-dir {Quote(settings.DataDirectory)} --stage-records {Quote(layout.StageRecords)} --quiet\n");
        }
        else
        {
            text.Append($"outs=({string.Join(' ', job.Tasks.Select(t => Quote(StageRecords.Folder(layout.StageRecords, job.Stage, t.Hash!))))})\n");
            text.Append($"echo \"pipeline: stage {job.Stage}, task $task on $(hostname), restart ${{SLURM_RESTART_COUNT:-0}}\"\n");
            text.Append($"exec {Command(settings.Cli)} run \"${{assemblies[$task]}}\" --stage {Quote(job.Stage)} --out \"${{outs[$task]}}\" --data-dir {Quote(settings.DataDirectory)} --quiet\n");
        }

        return text.ToString();
    }

    /// <summary>The <c>--dependency</c> value for a job, given the ids its upstream jobs got.</summary>
    public static string? Dependency(PlannedJob job, Func<PlannedJob, string> idOf) =>
        job.After.Count == 0 ? null : string.Join(',', job.After.Select(d => d.Slurm(idOf(d.Job))));

    /// <summary>A word for bash, in single quotes (a quote inside becomes <c>'\''</c>).</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Command(IReadOnlyList<string> words) => string.Join(' ', words.Select(Quote));

    private static void Directive(StringBuilder text, string option, string? value) =>
        text.Append(value is null ? $"#SBATCH --{option}\n" : $"#SBATCH --{option}={value}\n");
}

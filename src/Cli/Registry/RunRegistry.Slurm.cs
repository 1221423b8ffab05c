namespace Pipeline.Cli.Registry;

/// <summary>
/// The Slurm job that computes one stage of a submitted run (<c>pipeline submit --slurm</c>): <c>123</c>, or
/// <c>123_4</c> for a task of a job array, and the job's log file. The job that writes the run's results.json is
/// recorded under the stage name <see cref="RunRegistry.ResultsJob"/>.
/// </summary>
internal sealed record SlurmJobRecord(string Stage, string JobId, string Log);

/// <summary>
/// The registry's side of cluster runs (docs/cluster.md). Only processes on the submitting host write it: the jobs run
/// with the registry off, because SQLite's locks and WAL shared memory do not hold across the hosts of a network
/// filesystem. <c>pipeline submit</c> records each run with its jobs; <c>pipeline status</c> ends it from their state.
/// </summary>
internal sealed partial class RunRegistry
{
    /// <summary>The <c>stage</c> under which a submitted run's results job is recorded.</summary>
    public const string ResultsJob = "(results)";

    /// <summary>Records a submitted run as running, with its stages and its Slurm jobs, in one transaction; returns its id.</summary>
    public long StartSubmitted(RunStart run, IReadOnlyList<SlurmJobRecord> jobs, DateTime startedUtc) => InTransaction(transaction =>
    {
        var id = Insert(run, startedUtc, transaction);
        foreach (var job in jobs)
        {
            using var row = Command("INSERT INTO slurm_jobs (run_id, stage, job_id, log) VALUES ($run, $stage, $job, $log);", transaction);
            row.Parameters.AddWithValue("$run", id);
            row.Parameters.AddWithValue("$stage", job.Stage);
            row.Parameters.AddWithValue("$job", job.JobId);
            row.Parameters.AddWithValue("$log", job.Log);
            row.ExecuteNonQuery();
        }

        return id;
    });

    /// <summary>The Slurm jobs of a run, by stage; empty for a run of <c>pipeline run</c>.</summary>
    public IReadOnlyList<SlurmJobRecord> SlurmJobs(long runId)
    {
        using var query = Command("SELECT stage, job_id, log FROM slurm_jobs WHERE run_id = $id ORDER BY stage;");
        query.Parameters.AddWithValue("$id", runId);
        using var reader = query.ExecuteReader();
        var jobs = new List<SlurmJobRecord>();
        while (reader.Read())
        {
            jobs.Add(new SlurmJobRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return jobs;
    }
}

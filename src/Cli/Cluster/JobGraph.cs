using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Caching;

namespace Pipeline.Cli.Cluster;

/// <summary>One sweep point of a submission: its stages (names, kinds, hashes, dependencies) as the compiler bound them.</summary>
internal sealed record SubmittedPoint(int Index, IReadOnlyList<(string Path, string Value)> Values, IReadOnlyList<StageInfo> Stages);

/// <summary>
/// One task of a job: it runs its stage for the points in <paramref name="Points"/> (all of which give the stage the same
/// hash), with the compiled assembly of the first of them.
/// </summary>
internal sealed record JobTask(IReadOnlyList<int> Points, string? Hash)
{
    public int Point => Points[0];
}

/// <summary>A dependency on another job: on the task with the same index (<c>aftercorr</c>) or on all of its tasks (<c>afterok</c>).</summary>
internal sealed record JobDependency(PlannedJob Job, bool Corresponding)
{
    public string Slurm(string jobId) => (Corresponding ? "aftercorr:" : "afterok:") + jobId;
}

/// <summary>
/// A Slurm job of a submission: one stage (<paramref name="Stage"/>), or the results job (null stage) that writes each
/// point's results.json. One task is a plain job; more are a job array.
/// </summary>
internal sealed record PlannedJob(string Name, string? Stage, string? Kind, IReadOnlyList<JobTask> Tasks, IReadOnlyList<JobDependency> After)
{
    public bool IsArray => Tasks.Count > 1;

    /// <summary>The task that serves a point, or -1.</summary>
    public int TaskOf(int point)
    {
        for (var t = 0; t < Tasks.Count; t++)
        {
            if (Tasks[t].Points.Contains(point))
            {
                return t;
            }
        }

        return -1;
    }
}

/// <summary>
/// Turns the stage DAG of every sweep point into Slurm jobs. Each stage gets one job; the points that give it the same
/// hash share one task of it, so a stage upstream of every swept value runs once and each sweep point reads it from the
/// shared cache. The kinds the cache deliberately rebuilds (the synthetic world and preference pairs, recomputed from
/// the seed in well under a second, <see cref="ArtifactStore.RebuildReason"/>) get no job: each job rebuilds those it
/// needs, and a dependency through them is a dependency on the stages above them. A stage already in the shared cache
/// gets no task. Then one results job per point loads everything from the cache and writes results.json and report.md;
/// a replicate set (each point a seed) ends with one more job, after all of those, that writes the set's.
/// </summary>
internal static class JobGraph
{
    public const string ResultsJobName = "results";

    /// <summary>The last job of a replicate set: the set's results.json and report.md. It serves no point of its own.</summary>
    public const string ReplicatesJobName = "replicates";

    public static IReadOnlyList<PlannedJob> Plan(IReadOnlyList<SubmittedPoint> points, Func<string, bool> isCached, bool replicates = false)
    {
        var jobs = new Dictionary<string, PlannedJob>(StringComparer.Ordinal);
        var order = new List<PlannedJob>();
        foreach (var stage in ExperimentRunner.TopologicalOrder(points[0].Stages))
        {
            if (!HasJob(stage.Kind))
            {
                continue;
            }

            var tasks = points
                .GroupBy(p => Find(p, stage.Name).Hash, StringComparer.Ordinal)
                .Where(g => !isCached(g.Key))
                .Select(g => new JobTask(g.Select(p => p.Index).ToArray(), g.Key))
                .ToArray();
            if (tasks.Length == 0)
            {
                continue;
            }

            var upstream = points.SelectMany(p => UpstreamWithJobs(p, stage.Name)).ToHashSet(StringComparer.Ordinal);
            var after = order.Where(j => upstream.Contains(j.Name)).Select(j => Dependency(j, tasks)).ToArray();
            var job = new PlannedJob(stage.Name, stage.Name, stage.Kind, tasks, after);
            jobs[stage.Name] = job;
            order.Add(job);
        }

        var perPoint = points.Select(p => new JobTask([p.Index], null)).ToArray();
        var results = new PlannedJob(ResultsJobName, null, null, perPoint, order.Select(j => Dependency(j, perPoint)).ToArray());
        order.Add(results);
        if (replicates)
        {
            order.Add(new PlannedJob(ReplicatesJobName, null, null, [new JobTask([], null)], [new JobDependency(results, Corresponding: false)]));
        }

        return order;
    }

    /// <summary>Task t may wait for task t of <paramref name="upstream"/> only when both split the points the same way.</summary>
    private static JobDependency Dependency(PlannedJob upstream, IReadOnlyList<JobTask> tasks) =>
        new(upstream, upstream.IsArray && upstream.Tasks.Count == tasks.Count
            && upstream.Tasks.Zip(tasks).All(p => p.First.Points.SequenceEqual(p.Second.Points)));

    /// <summary>Whether a stage of this kind runs as a job of its own, rather than being rebuilt in every job that reads it.</summary>
    public static bool HasJob(string kind) => ArtifactStore.RebuildReason(kind) is null;

    /// <summary>The stages with jobs that a stage reads, looking through the stages that are rebuilt in each job.</summary>
    private static IEnumerable<string> UpstreamWithJobs(SubmittedPoint point, string stage)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Find(point, stage).Dependencies);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name))
            {
                continue;
            }

            var info = Find(point, name);
            if (HasJob(info.Kind))
            {
                yield return name;
            }
            else
            {
                foreach (var dependency in info.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }
    }

    private static StageInfo Find(SubmittedPoint point, string stage) =>
        point.Stages.FirstOrDefault(s => s.Name == stage) ?? throw new InvalidOperationException($"sweep point {point.Index} has no stage '{stage}'");
}

using System.CommandLine;
using System.Globalization;
using Pipeline.Cli.Cluster;
using Pipeline.Cli.Registry;
using Pipeline.Compiler;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Caching;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline submit FILE [--set …] --slurm [--partition P] [--gpus-per-task N] [--cpus-per-task N] [--time T] [--shared-dir DIR]
/// [--dry-run]</c>: compiles the experiment once (each sweep point), then hands its stages to Slurm as jobs whose
/// <c>afterok</c>/<c>aftercorr</c> dependencies mirror the stage DAG (<see cref="JobGraph"/>); a swept stage becomes a
/// job array. Each job runs <c>pipeline run X.dll --stage NAME</c> against one stage cache on the shared folder. The
/// runs are recorded in this host's registry (docs/cluster.md); <c>pipeline status RUN</c> follows them.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("experiment") { Description = "An experiment file (.pipe)." };
        var sets = SetOption.Create();
        var slurm = new Option<bool>("--slurm") { Description = "Submit to Slurm (sbatch); the only scheduler supported." };
        var partition = new Option<string?>("--partition") { Description = "The Slurm partition of every job." };
        var gpus = new Option<int?>("--gpus-per-task") { Description = "GPUs per job (default: 1 for device = cuda, 0 for cpu and auto)." };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "CPUs per job (default: the cluster's); torch then uses that many threads." };
        var time = new Option<string?>("--time") { Description = "Time limit of each job, in Slurm's form (MM, HH:MM:SS, D-HH:MM:SS)." };
        var shared = new Option<string?>("--shared-dir") { Description = "A folder every node sees at the same path: the shared stage cache, the scripts, logs and results." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the job graph and the sbatch scripts; submit nothing." };
        var command = new Command("submit", "Submit an experiment's stages (and sweep points) as Slurm jobs.");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { sets, slurm, partition, gpus, cpus, time, shared, dryRun })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed => Run(
            parsed.GetValue(file)!,
            parsed.GetValue(sets) ?? [],
            new SubmitOptions(parsed.GetValue(slurm), parsed.GetValue(partition), parsed.GetValue(gpus), parsed.GetValue(time), parsed.GetValue(shared), parsed.GetValue(cpus)),
            parsed.GetValue(dryRun),
            Console.Out));
        return command;
    }

    public static int Run(string file, IReadOnlyList<string> sets, SubmitOptions options, bool dryRun, TextWriter output)
    {
        options.Validate();
        var compilation = CompilerHost.Load(file, sets);
        if (CompilerHost.Print(compilation.Diagnostics, compilation, output) > 0)
        {
            return CommandHost.Failure;
        }

        var name = compilation.SemanticModel.Name;
        var sweep = compilation.SweepCount > 1;
        var seeds = compilation.SemanticModel.ReplicateSeeds.Select(s => (long)s).ToArray();
        var replicates = seeds.Length > 1;
        if (replicates && sweep)
        {
            throw new UsageException($"replicates = {seeds.Length} with a sweep is not supported; submit each sweep point as its own replicate set (--set PATH=VALUE), or set replicates = 1.");
        }

        // A replicate set's points are its seeds: each stage's tasks for the seeds form a job array, like a sweep's.
        var pointValues = replicates
            ? seeds.Select(s => (IReadOnlyList<(string Path, string Value)>)[("seed", s.ToString(CultureInfo.InvariantCulture))]).ToArray()
            : sweep ? compilation.SweepPoints() : [[]];
        var compilations = Enumerable.Range(0, pointValues.Count).Select(i => replicates ? compilation.WithReplicate(i) : sweep ? compilation.WithSweepPoint(i) : compilation).ToArray();
        var points = compilations.Select((c, i) => new SubmittedPoint(
            i,
            pointValues[i],
            c.SemanticModel.Stages.Select(s => new StageInfo(s.Name, s.Kind.Name, s.Hash, s.Dependencies, s.SourcePath)).ToArray())).ToArray();

        var gpus = options.Gpus(compilation.SemanticModel.Device);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var layout = new SubmissionLayout(options.SharedDirectory!, $"{name}-{stamp}-{Environment.ProcessId}", replicates ? seeds.Select(s => $"seed-{s}").ToArray() : null);
        var cache = new StageCache(Path.Combine(layout.Cache, "stages"));
        var jobs = JobGraph.Plan(points, hash => cache.Lookup(hash).State == CacheEntryState.Intact, replicates);
        var settings = new JobSettings(name, options.Partition, gpus, options.Time, CliCommand(), compilation.SourceDirectory, options.CpusPerTask, replicates ? new SubmittedReplicates(seeds, compilation.SourceSha256) : null);

        foreach (var stage in compilation.SemanticModel.Stages.Where(s => s.DataFiles.Count > 0))
        {
            output.WriteLine($"note: stage {stage.Name} reads {string.Join(", ", stage.DataFiles.Keys)} from {compilation.SourceDirectory}; every node must see that folder at this path.");
        }

        // An experiment's name is an identifier, so its assembly is NAME.dll; the real paths come from the emit below.
        var assemblies = points.Select(p => Path.Combine(layout.AssemblyFolder(p.Index), name + ".dll")).ToArray();
        if (dryRun)
        {
            PrintGraph(jobs, points, job => $"<{job.Name}>", output);
            foreach (var job in jobs)
            {
                output.WriteLine();
                output.WriteLine($"==> {layout.Script(job)}  (sbatch --parsable{(SbatchScript.Dependency(job, j => $"<{j.Name}>") is { } d ? " --dependency=" + d : "")})");
                output.Write(SbatchScript.Render(job, layout, settings, assemblies, sweep));
            }

            return CommandHost.Success;
        }

        Prepare(layout);
        for (var i = 0; i < compilations.Length; i++)
        {
            var emitted = compilations[i].Emit(layout.AssemblyFolder(i));
            if (!emitted.Success)
            {
                CompilerHost.Print(emitted.Diagnostics, compilations[i], output);
                return CommandHost.Failure;
            }

            assemblies[i] = emitted.AssemblyPath!;
        }

        var ids = SubmitAll(jobs, layout, settings, assemblies, sweep);
        PrintGraph(jobs, points, job => ids[job], output);
        Record(file, sets, compilations, points, jobs, ids, layout, sweep, output);
        output.WriteLine($"submitted {jobs.Count} jobs; scripts, logs and results under {layout.Root}");
        return CommandHost.Success;
    }

    private static void Prepare(SubmissionLayout layout)
    {
        try
        {
            Directory.CreateDirectory(layout.Cache);
            Directory.CreateDirectory(layout.Logs);
            Directory.CreateDirectory(layout.StageRecords);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.SharedDirInvalid, $"cannot create folders under --shared-dir {layout.SharedDirectory} ({error.Message.Trim()}); choose a folder you can write.");
        }
    }

    /// <summary>Writes each script and submits it after its upstream jobs; when sbatch refuses one, the jobs already submitted are cancelled.</summary>
    private static Dictionary<PlannedJob, string> SubmitAll(IReadOnlyList<PlannedJob> jobs, SubmissionLayout layout, JobSettings settings, IReadOnlyList<string> assemblies, bool sweep)
    {
        var ids = new Dictionary<PlannedJob, string>();
        try
        {
            foreach (var job in jobs)
            {
                var script = layout.Script(job);
                DurableFile.WriteAllText(script, SbatchScript.Render(job, layout, settings, assemblies, sweep), "job script");
                ids[job] = Slurm.Submit(script, SbatchScript.Dependency(job, j => ids[j]));
            }
        }
        catch
        {
            Slurm.Cancel(ids.Values);
            throw;
        }

        return ids;
    }

    private static void PrintGraph(IReadOnlyList<PlannedJob> jobs, IReadOnlyList<SubmittedPoint> points, Func<PlannedJob, string> idOf, TextWriter output)
    {
        if (points.Count > 1)
        {
            output.WriteLine(points[0].Values is [("seed", _)] ? $"replicates: {points.Count} seeds" : $"sweep: {points.Count} points");
            foreach (var point in points)
            {
                output.WriteLine($"point {point.Index}: {string.Join(", ", point.Values.Select(p => $"{p.Path} = {p.Value}"))}");
            }
        }

        output.WriteLine($"job graph ({jobs.Count} jobs):");
        foreach (var job in jobs)
        {
            var tasks = job.IsArray ? $"array 0-{job.Tasks.Count - 1}, task i = point(s) {string.Join(" | ", job.Tasks.Select(t => string.Join(",", t.Points)))}" : job.Tasks[0].Points.Count == 0 ? "the replicate set" : $"point(s) {string.Join(",", job.Tasks[0].Points)}";
            var after = SbatchScript.Dependency(job, idOf) is { } dependency ? "  after " + dependency : "";
            output.WriteLine($"  {idOf(job),-10} {job.Name,-14} {tasks}{after}");
        }

        var withJobs = jobs.Select(j => j.Stage).ToHashSet(StringComparer.Ordinal);
        var rebuilt = points[0].Stages.Where(s => !JobGraph.HasJob(s.Kind)).Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        var cached = points[0].Stages.Where(s => JobGraph.HasJob(s.Kind) && !withJobs.Contains(s.Name)).Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        if (rebuilt.Length > 0)
        {
            output.WriteLine($"  no job, rebuilt from the seed in each job that reads them: {string.Join(", ", rebuilt)}");
        }

        if (cached.Length > 0)
        {
            output.WriteLine($"  no job, in the shared cache already: {string.Join(", ", cached)}");
        }
    }

    /// <summary>Records each point as a run of this host's registry, with the job (or array task) of each of its stages.</summary>
    private static void Record(string file, IReadOnlyList<string> sets, IReadOnlyList<Compilation> compilations, IReadOnlyList<SubmittedPoint> points, IReadOnlyList<PlannedJob> jobs, Dictionary<PlannedJob, string> ids, SubmissionLayout layout, bool sweep, TextWriter output)
    {
        try
        {
            using var registry = RunRegistry.OpenDefault();
            foreach (var point in points)
            {
                var records = jobs.Where(j => j.TaskOf(point.Index) >= 0).Select(job =>
                {
                    var task = job.TaskOf(point.Index);
                    var id = job.IsArray ? $"{ids[job]}_{task}" : ids[job];
                    return new SlurmJobRecord(job.Stage ?? RunRegistry.ResultsJob, id, layout.Log(job, ids[job], task));
                }).ToArray();
                var compiled = compilations[point.Index];
                var run = new RunStart(
                    compiled.SemanticModel.Name,
                    Path.GetFullPath(file),
                    compiled.SourceSha256,
                    compiled.CanonicalSource,
                    sets.Concat(point.Values.Select(p => $"{p.Path}={p.Value}")).ToArray(),
                    layout.PointOutput(point.Index, sweep),
                    point.Stages.Select(s => new RunStage(s.Name, s.Kind, s.Hash)).ToArray(),
                    sweep ? new RunSweepPoint(point.Index, point.Values) : null);
                var runId = registry.StartSubmitted(run, records, DateTime.UtcNow);
                output.WriteLine($"run {runId}: {run.OutputDirectory} (pipeline status {runId})");
            }
        }
        catch (Exception error) when (error is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or PipelineException)
        {
            // The jobs are submitted and will write their results; only the record of them is missing.
            output.WriteLine($"run registry not written ({error.Message}); the jobs run regardless: {string.Join(", ", ids.Values)}");
        }
    }

    /// <summary>How a node runs this same CLI: the dotnet host and pipeline.dll, or the apphost, at the paths they have here.</summary>
    private static IReadOnlyList<string> CliCommand()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, Path.Combine(AppContext.BaseDirectory, "pipeline.dll")] : [host];
    }
}

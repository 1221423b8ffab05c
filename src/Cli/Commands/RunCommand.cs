using System.CommandLine;
using System.Globalization;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Cli.Registry;
using Pipeline.Compiler;
using Pipeline.Compiler.Emit;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Hosting;
using Pipeline.Runtime.Execution.Reporting;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Torch;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline run FILE.pipe|X.dll [--stage NAME] [--set PATH=VALUE]... [--out DIR]</c>: compiles the file (through
/// the assembly cache) or takes a compiled assembly, loads it, runs every stage (or one) and writes
/// <c>DIR/results.json</c>. A sweep runs each point into <c>DIR/point-N</c>, then writes its own report,
/// <c>DIR/sweep.md</c> and <c>DIR/sweep.json</c> (<see cref="SweepReportWriter"/>). Stages go through the stage cache
/// (docs/caching.md): cached ones are loaded, not run; <c>--dry-run</c> lists each stage as run or cached.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("experiment") { Description = "An experiment file (.pipe) or a compiled experiment (.dll)." };
        var stage = new Option<string?>("--stage") { Description = "Run only this stage, taking its inputs from the cache." };
        var sets = SetOption.Create();
        var output = new Option<string?>("--out") { Description = "Folder for results.json (default: runs/EXPERIMENT)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List each stage as run or cached, and run nothing." };
        var quiet = new Option<bool>("--quiet") { Description = "Plain progress lines (about ten per training stage) instead of the live display in a terminal." };
        var dataDir = new Option<string?>("--data-dir") { Description = "For a compiled experiment (.dll): the folder its data paths resolve against (default: the assembly's folder)." };

        // Set by the results job of `pipeline submit --slurm` only: where its stage jobs recorded how each stage ran.
        var stageRecords = new Option<string?>("--stage-records") { Hidden = true };
        var command = new Command("run", "Run an experiment and write results.json.");
        command.Arguments.Add(file);
        command.Options.Add(stage);
        command.Options.Add(sets);
        command.Options.Add(output);
        command.Options.Add(dryRun);
        command.Options.Add(quiet);
        command.Options.Add(dataDir);
        command.Options.Add(stageRecords);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, parsed.GetValue(stage), parsed.GetValue(sets) ?? [], parsed.GetValue(output), Console.Out, parsed.GetValue(dryRun), parsed.GetValue(quiet), parsed.GetValue(dataDir), parsed.GetValue(stageRecords)));
        return command;
    }

    public static int Run(string file, string? stage, IReadOnlyList<string> sets, string? outputDirectory, TextWriter output, bool dryRun = false, bool quiet = false, string? dataDirectory = null, string? stageRecords = null)
    {
        if (dataDirectory is not null && !file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--data-dir is for a compiled experiment (.dll); a .pipe file's data paths resolve against its own folder.");
        }

        if (file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            if (sets.Count > 0)
            {
                throw new UsageException("--set changes the source, so it needs the .pipe file, not a compiled assembly.");
            }

            if (!File.Exists(file))
            {
                throw new UsageException($"cannot read '{file}': no such file.");
            }

            if (dataDirectory is not null && !Directory.Exists(dataDirectory))
            {
                throw new UsageException($"--data-dir '{dataDirectory}' is not a folder.");
            }

            var outDir = outputDirectory ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file));
            OutputFolder.Require(outDir, "--out");
            var sourceDirectory = Path.GetFullPath(dataDirectory ?? Path.GetDirectoryName(Path.GetFullPath(file))!);
            var assembly = new LoadedAssembly(Path.GetFullPath(file), null, null);
            return RunAssembly(assembly, sourceDirectory, stage, outDir, output, dryRun, quiet, new RunOrigin(Path.GetFullPath(file), []), stageRecords);
        }

        if (outputDirectory is not null)
        {
            OutputFolder.Require(outputDirectory, "--out");
        }

        var compilation = CompilerHost.Load(file, sets);
        if (CompilerHost.Print(compilation.Diagnostics, compilation, output) > 0)
        {
            return CommandHost.Failure;
        }

        var runDirectory = outputDirectory ?? Path.Combine("runs", compilation.SemanticModel.Name);
        OutputFolder.Require(runDirectory, "--out");
        if (compilation.SweepCount <= 1)
        {
            return CompileAndRun(compilation, stage, runDirectory, output, dryRun, quiet, new RunOrigin(Path.GetFullPath(file), sets));
        }

        output.WriteLine($"sweep: {compilation.SweepCount} points");
        var points = compilation.SweepPoints();
        var completed = new List<SweepPoint>();
        for (var i = 0; i < compilation.SweepCount; i++)
        {
            output.WriteLine($"point {i}: {string.Join(", ", points[i].Select(p => $"{p.Path} = {p.Value}"))}");
            var origin = new RunOrigin(Path.GetFullPath(file), sets.Concat(points[i].Select(p => $"{p.Path}={p.Value}")).ToArray(), new RunSweepPoint(i, points[i]));
            var code = CompileAndRun(compilation.WithSweepPoint(i), stage, Path.Combine(runDirectory, $"point-{i}"), output, dryRun, quiet, origin);
            if (code != CommandHost.Success)
            {
                return code;
            }

            completed.Add(new SweepPoint(i, Path.GetFullPath(Path.Combine(runDirectory, $"point-{i}")), points[i]));
        }

        if (!dryRun)
        {
            output.WriteLine($"sweep report: {DiagnosticFormatter.OneLine(SweepReportWriter.Write(runDirectory, completed))}");
        }

        return CommandHost.Success;
    }

    private static int CompileAndRun(Compilation compilation, string? stage, string outputDirectory, TextWriter output, bool dryRun, bool quiet, RunOrigin origin)
    {
        var folder = CacheLocation.Assembly(compilation.Options.CacheDirectory, compilation.CacheKey);
        var emitted = compilation.Emit(folder);
        CompilerHost.Print(emitted.Diagnostics, compilation, output);
        if (!emitted.Success)
        {
            return CommandHost.Failure;
        }

        return RunAssembly(new LoadedAssembly(emitted.AssemblyPath!, emitted.AssemblySha256, compilation), compilation.SourceDirectory, stage, outputDirectory, output, dryRun, quiet, origin);
    }

    /// <summary>
    /// Refuses <c>replicates</c> above 1, which the language checks and compiles but no command runs yet: running the
    /// first seed alone would report one seed as if it were N.
    /// </summary>
    internal static void RequireOneReplicate(int replicates, int seed)
    {
        if (replicates > 1)
        {
            throw new UsageException($"replicates = {replicates} asks for runs on seeds {seed} to {(long)seed + replicates - 1}, which this version checks and compiles but does not run yet; run each seed with --set seed=S --set replicates=1, and compare sets of such runs with pipeline compare 3,4,5 6,7,8.");
        }
    }

    private static int RunAssembly(LoadedAssembly loaded, string sourceDirectory, string? stage, string outputDirectory, TextWriter output, bool dryRun, bool quiet, RunOrigin origin, string? stageRecords = null)
    {
        using var host = ExperimentHost.TryLoad(loaded.Path, loaded.Sha256, out var problem) ?? throw new UsageException(problem!);
        var info = host.Experiment.Info;
        RequireOneReplicate(info.Replicates, info.Seed);
        if (loaded.Source is { } compilation)
        {
            ExperimentIdentity.Verify(info, compilation, loaded.Path, $"remove the assembly cache's entry ({Path.GetDirectoryName(loaded.Path)}) and run again");
        }
        else
        {
            ExperimentIdentity.VerifyAssembly(info, sourceDirectory, loaded.Path);
        }

        if (stage is not null && info.FindStage(stage) is null)
        {
            throw new UsageException($"the experiment has no stage '{stage}'; its stages are {string.Join(", ", info.Stages.Select(s => s.Name))}.");
        }

        if (dryRun)
        {
            return StageCacheCli.PrintPlan(info, output);
        }

        var run = host.Prepare(outputDirectory, sourceDirectory, LiveProgress.IsLive(quiet) ? LiveProgress.WriteLine : output.WriteLine);
        using var recorder = RunRecorder.Start(
            new RunStart(info.Name, origin.File, info.SourceSha256, info.CanonicalSource, origin.Overrides, run.OutputDirectory, RunRecorder.Stages(info, new Dictionary<string, StageOutput>()), origin.Sweep),
            output.WriteLine);
        try
        {
            var device = ExperimentHost.DeviceName(run);
            if (RandomStream.CheckingAsCuda)
            {
                output.WriteLine($"random draws: the CUDA path, checked on the CPU ({RandomStream.CheckVariable}=cuda); the numbers differ from a plain CPU run");
            }

            var result = LiveProgress.IsLive(quiet) ? LiveProgress.Run(run, device, () => host.Execute(run, stage)) : host.Execute(run, stage);
            if (stageRecords is not null)
            {
                Cluster.StageRecords.Apply(result, stageRecords);
            }

            var files = ExperimentHost.WriteResults(result, run, device, warning => Console.Error.WriteLine(CommandHost.Format(warning, "warning")));
            recorder.Succeeded(result, File.ReadAllText(files.Results));
            output.WriteLine($"report: {DiagnosticFormatter.OneLine(files.Report)}");
            if (files.Models is { } models)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"models: {DiagnosticFormatter.OneLine(models.Folder)} ({models.Files.Count} file{(models.Files.Count == 1 ? string.Empty : "s")}, {models.Bytes / 1e6:0.0} MB, {models.Linked} linked to the stage cache, {models.Seconds:0.00} s)"));
            }

            output.WriteLine(StageCacheCli.Summary(result));
            output.WriteLine($"results: {DiagnosticFormatter.OneLine(files.Results)}");
            return CommandHost.Success;
        }
        catch (Exception error)
        {
            recorder.Failed(info, run.Outputs, error);
            throw;
        }
    }

    /// <summary>What the registry records about where a run came from: the file run and the --set overrides (with a sweep point's values).</summary>
    private sealed record RunOrigin(string File, IReadOnlyList<string> Overrides, RunSweepPoint? Sweep = null);

    /// <summary>
    /// The assembly to run: its path, the SHA-256 the compiler verified its bytes against (null for a .dll the user
    /// names), and the compilation it was built from (null for a .dll: its embedded source is bound again instead).
    /// </summary>
    private sealed record LoadedAssembly(string Path, string? Sha256, Compilation? Source);

}

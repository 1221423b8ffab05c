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
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline run FILE.pipe|X.dll [--stage NAME] [--set PATH=VALUE]... [--out DIR]</c>: compiles the file (through
/// the assembly cache) or takes a compiled assembly, loads it, runs every stage (or one) and writes
/// <c>DIR/results.json</c>. A sweep runs each point into <c>DIR/point-N</c>, then writes its own report,
/// <c>DIR/sweep.md</c> and <c>DIR/sweep.json</c> (<see cref="SweepReportWriter"/>). Stages go through the stage cache
/// (docs/caching.md): cached ones are loaded, not run; <c>--dry-run</c> lists each stage as run or cached. With
/// <c>replicates = N</c> it runs the experiment on seeds S … S + N − 1, each into <c>DIR/seed-S</c>, then writes the
/// set's results.json and report.md (<see cref="ReplicateResultsWriter"/>). The declared expectations are decided on
/// the run's win rates (all seeds' for a replicate set) and printed; <c>--expect</c> exits 1 when one does not hold.
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
        var expect = new Option<bool>("--expect") { Description = "Exit 1 when a declared expectation does not hold (for CI); the results are written either way." };
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
        command.Options.Add(expect);
        command.Options.Add(dataDir);
        command.Options.Add(stageRecords);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, parsed.GetValue(stage), parsed.GetValue(sets) ?? [], parsed.GetValue(output), Console.Out, parsed.GetValue(dryRun), parsed.GetValue(quiet), parsed.GetValue(dataDir), parsed.GetValue(stageRecords), parsed.GetValue(expect)));
        return command;
    }

    public static int Run(string file, string? stage, IReadOnlyList<string> sets, string? outputDirectory, TextWriter output, bool dryRun = false, bool quiet = false, string? dataDirectory = null, string? stageRecords = null, bool expect = false)
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
            return Decide(RunAssembly(assembly, sourceDirectory, stage, outDir, output, dryRun, quiet, new RunOrigin(Path.GetFullPath(file), []), stageRecords), expect, output);
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
        if (compilation.SemanticModel.Replicates > 1)
        {
            return Decide(RunReplicates(compilation, stage, runDirectory, output, dryRun, quiet, new RunOrigin(Path.GetFullPath(file), sets)), expect, output);
        }

        if (compilation.SweepCount <= 1)
        {
            return Decide(CompileAndRun(compilation, stage, runDirectory, output, dryRun, quiet, new RunOrigin(Path.GetFullPath(file), sets)), expect, output);
        }

        output.WriteLine($"sweep: {compilation.SweepCount} points");
        var points = compilation.SweepPoints();
        var completed = new List<SweepPoint>();
        for (var i = 0; i < compilation.SweepCount; i++)
        {
            output.WriteLine($"point {i}: {string.Join(", ", points[i].Select(p => $"{p.Path} = {p.Value}"))}");
            var origin = new RunOrigin(Path.GetFullPath(file), sets.Concat(points[i].Select(p => $"{p.Path}={p.Value}")).ToArray(), new RunSweepPoint(i, points[i]));
            var code = Decide(CompileAndRun(compilation.WithSweepPoint(i), stage, Path.Combine(runDirectory, $"point-{i}"), output, dryRun, quiet, origin), expect, output);
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

    private static RunOutcome CompileAndRun(Compilation compilation, string? stage, string outputDirectory, TextWriter output, bool dryRun, bool quiet, RunOrigin origin, bool replicate = false)
    {
        var folder = CacheLocation.Assembly(compilation.Options.CacheDirectory, compilation.CacheKey);
        var emitted = compilation.Emit(folder);
        CompilerHost.Print(emitted.Diagnostics, compilation, output);
        if (!emitted.Success)
        {
            return new RunOutcome(CommandHost.Failure, DecidedExpectations.None);
        }

        return RunAssembly(new LoadedAssembly(emitted.AssemblyPath!, emitted.AssemblySha256, compilation), compilation.SourceDirectory, stage, outputDirectory, output, dryRun, quiet, origin, replicate: replicate);
    }

    /// <summary>
    /// Runs replicate k (k = 0 … N − 1) as the experiment with seed S + k into <c>DIR/seed-(S+k)</c>, each a complete
    /// run through the stage cache and recorded in the registry like a plain run of that seed, then writes the set's
    /// results.json and report.md from theirs.
    /// </summary>
    private static RunOutcome RunReplicates(Compilation compilation, string? stage, string outputDirectory, TextWriter output, bool dryRun, bool quiet, RunOrigin origin)
    {
        var model = compilation.SemanticModel;
        if (compilation.SweepCount > 1)
        {
            throw new UsageException($"replicates = {model.Replicates} with a sweep is not supported; run each sweep point as its own replicate set (--set PATH=VALUE), or set replicates = 1.");
        }

        if (stage is not null)
        {
            throw new UsageException($"--stage runs one stage of one run, and replicates = {model.Replicates} asks for {model.Replicates} runs; run the stage of one seed with --set seed=S --set replicates=1.");
        }

        var seeds = model.ReplicateSeeds;
        output.WriteLine($"replicates: {seeds.Length} seeds, {seeds[0]} to {seeds[^1]}");
        var runs = new List<ReplicateRun>();
        for (var k = 0; k < seeds.Length; k++)
        {
            var seed = seeds[k].ToString(CultureInfo.InvariantCulture);
            output.WriteLine($"replicate {k}: seed {seed}");
            var folder = $"seed-{seed}";
            var replicateOrigin = origin with { Overrides = origin.Overrides.Concat([$"seed={seed}", "replicates=1"]).ToArray() };
            var outcome = CompileAndRun(compilation.WithReplicate(k), null, Path.Combine(outputDirectory, folder), output, dryRun, quiet, replicateOrigin, replicate: true);
            if (outcome.Code != CommandHost.Success)
            {
                return outcome;
            }

            runs.Add(new ReplicateRun(seeds[k], folder));
        }

        if (dryRun)
        {
            return new RunOutcome(CommandHost.Success, DecidedExpectations.None);
        }

        var files = ReplicateResultsWriter.Write(Path.GetFullPath(outputDirectory), compilation.SourceSha256, model.Expectations.Select(e => e.Expectation).ToArray(), runs);
        output.WriteLine($"replicates report: {DiagnosticFormatter.OneLine(files.Report)}");
        output.WriteLine($"replicates results: {DiagnosticFormatter.OneLine(files.Results)}");
        return new RunOutcome(CommandHost.Success, files.Expectations);
    }

    /// <summary>
    /// Prints each decided expectation; with <c>--expect</c>, a run whose expectations did not all hold or could not
    /// be decided fails (exit 1), after its results were written. Inconclusive ones do not fail it: the interval
    /// says the run cannot tell, which is reported, not refuted.
    /// </summary>
    private static int Decide(RunOutcome outcome, bool expect, TextWriter output)
    {
        foreach (var line in ExpectationResults.Lines(outcome.Expectations))
        {
            output.WriteLine(line);
        }

        if (!expect || outcome.Code != CommandHost.Success)
        {
            return outcome.Code;
        }

        if (outcome.Expectations.NotHeld is { Count: > 0 } failed)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ExpectationNotHeld, $"{failed.Count} expectation(s) did not hold: {string.Join("; ", failed.Select(o => o.Expectation.Expression))}; the results are written, with the numbers in results.json's expectations.");
        }

        if (outcome.Expectations.Unmeasured is { Count: > 0 } unmeasured)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ExpectationNotMeasured, $"--expect: {unmeasured.Count} expectation(s) read win rates this run did not measure ({string.Join("; ", unmeasured.Select(e => e.Expression))}); run every stage, without --stage.");
        }

        return outcome.Code;
    }

    /// <summary>Runs one compiled experiment; <paramref name="replicate"/> marks a seed of a replicate set, whose expectations are decided on all seeds (so this run's own are not returned).</summary>
    private static RunOutcome RunAssembly(LoadedAssembly loaded, string sourceDirectory, string? stage, string outputDirectory, TextWriter output, bool dryRun, bool quiet, RunOrigin origin, string? stageRecords = null, bool replicate = false)
    {
        using var host = ExperimentHost.TryLoad(loaded.Path, loaded.Sha256, out var problem) ?? throw new UsageException(problem!);
        var info = host.Experiment.Info;
        if (info.Replicates > 1)
        {
            throw new UsageException($"{loaded.Path} is compiled with replicates = {info.Replicates}, which runs the experiment on {info.Replicates} seeds, each compiled with its own; run the .pipe file, or this assembly's seed alone from a file with replicates = 1.");
        }

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
            return new RunOutcome(StageCacheCli.PrintPlan(info, output), DecidedExpectations.None);
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

            RunResult result;
            using (SharedCpuWatch.Start(warning => Console.Error.WriteLine(CommandHost.Format(warning, "warning"))))
            {
                result = LiveProgress.IsLive(quiet) ? LiveProgress.Run(run, device, () => host.Execute(run, stage)) : host.Execute(run, stage);
            }

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
            return new RunOutcome(CommandHost.Success, replicate ? DecidedExpectations.None : files.Expectations);
        }
        catch (Exception error)
        {
            recorder.Failed(info, run.Outputs, error);
            throw;
        }
    }

    /// <summary>How a run ended: its exit code and its expectations decided (none for a dry run, a failure or a replicate's seed).</summary>
    private sealed record RunOutcome(int Code, DecidedExpectations Expectations);

    /// <summary>What the registry records about where a run came from: the file run and the --set overrides (with a sweep point's values).</summary>
    private sealed record RunOrigin(string File, IReadOnlyList<string> Overrides, RunSweepPoint? Sweep = null);

    /// <summary>
    /// The assembly to run: its path, the SHA-256 the compiler verified its bytes against (null for a .dll the user
    /// names), and the compilation it was built from (null for a .dll: its embedded source is bound again instead).
    /// </summary>
    private sealed record LoadedAssembly(string Path, string? Sha256, Compilation? Source);

}

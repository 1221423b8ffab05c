using System.Reflection;
using System.Runtime.Loader;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Execution.Reporting;
using TorchSharp;

namespace Pipeline.Runtime.Execution.Hosting;

/// <summary>The files a run writes into its folder (results.json, report.md, its models: null when it trained none), and its declared expectations decided on its win rates.</summary>
public sealed record RunFiles(string Results, string Report, ExportedModels? Models, DecidedExpectations Expectations);

/// <summary>
/// The run host: loads a compiled experiment into a collectible load context, runs it (every stage, or one with its
/// inputs from the cache) through the stage cache into a run folder, and writes results.json and report.md.
/// <c>pipeline run</c> drives it; what belongs to the command line (usage errors, the run registry, the live
/// display, the data-file check that needs the compiler) stays there.
/// </summary>
public sealed class ExperimentHost : IDisposable
{
    private readonly AssemblyLoadContext context;

    private ExperimentHost(AssemblyLoadContext context, IExperiment experiment)
    {
        this.context = context;
        Experiment = experiment;
    }

    public IExperiment Experiment { get; }

    /// <summary>
    /// Loads the compiled experiment at <paramref name="assemblyPath"/>, or returns null with the reason it is not one.
    /// With <paramref name="expectedSha256"/> (what the compiler verified or built a moment ago), bytes that differ are
    /// refused, never loaded. The load context is collectible, so a long-lived host (tests, a sweep) does not keep every
    /// compiled experiment loaded; the runtime itself resolves from the default context, so the experiment and its host
    /// share its types.
    /// </summary>
    /// <exception cref="PipelineException">PIPE4504: the bytes are not those the compiler checked.</exception>
    public static ExperimentHost? TryLoad(string assemblyPath, string? expectedSha256, out string? problem)
    {
        var context = new AssemblyLoadContext("experiment:" + Path.GetFileName(assemblyPath), isCollectible: true);
        Assembly assembly;
        try
        {
            // A pipe or a device (no length) would block or never end; it is no assembly either.
            var file = new FileInfo(assemblyPath);
            if ((file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file) is { Exists: true, Length: 0 })
            {
                throw new BadImageFormatException();
            }

            var bytes = File.ReadAllBytes(assemblyPath);
            if (expectedSha256 is not null && Pipeline.Catalog.CacheChecksums.Sha256(bytes) != expectedSha256)
            {
                context.Unload();
                throw new PipelineException(RuntimeDiagnosticCodes.ExperimentIdentityMismatch, $"the compiled experiment {assemblyPath} changed after the compiler checked it, so it was not loaded; run again (another process may be writing the cache).");
            }

            assembly = context.LoadFromStream(new MemoryStream(bytes));
        }
        catch (BadImageFormatException)
        {
            context.Unload();
            problem = $"'{assemblyPath}' is not a compiled experiment (it is not a .NET assembly); compile one with 'pipeline compile FILE'.";
            return null;
        }

        if (assembly.GetCustomAttribute<ExperimentClassAttribute>()?.ExperimentType is not { } type)
        {
            context.Unload();
            problem = $"'{assemblyPath}' is not a compiled experiment (it has no ExperimentClass attribute).";
            return null;
        }

        problem = null;
        return new ExperimentHost(context, (IExperiment)Activator.CreateInstance(type)!);
    }

    /// <summary>The run of this experiment into <paramref name="outputDirectory"/> (created here), through the default stage cache.</summary>
    public RunContext Prepare(string outputDirectory, string sourceDirectory, Action<string> log)
    {
        var folder = Path.GetFullPath(outputDirectory);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw RuntimeErrors.RunFolderInvalid(folder, error.Message.Trim());
        }

        return new RunContext(Experiment.Info, folder, sourceDirectory, log) { Cache = StageCache.Default };
    }

    /// <summary>Runs every stage in dependency order, or only <paramref name="stage"/>.</summary>
    public RunResult Execute(RunContext run, string? stage)
    {
        if (stage is null)
        {
            return Experiment.Run(run);
        }

        run.RunStage(Experiment, stage);
        return new RunResult(Experiment.Info, run.Outputs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
    }

    /// <summary>The device the run resolved to, as results.json names it: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public static string DeviceName(RunContext run)
    {
        var device = run.Device.Resolve();
        return device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, (int)device.index)}" : "cpu";
    }

    /// <summary>
    /// Writes results.json, report.md and the models (<see cref="ModelExport"/>) into the run's folder; a report without
    /// what an optional tool makes is a warning.
    /// </summary>
    public static RunFiles WriteResults(RunResult result, RunContext run, string device, Action<PipelineException> warn)
    {
        var results = ResultsWriter.Write(run.OutputDirectory, result, run, device, out var expectations);
        return new(results, ReportWriter.Write(run.OutputDirectory, result, run, warn, expectations), ModelExport.Write(run, result.Stages), expectations);
    }

    public void Dispose() => context.Unload();
}

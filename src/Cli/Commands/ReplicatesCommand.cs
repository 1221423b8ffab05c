using System.CommandLine;
using System.Globalization;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution.Hosting;
using Pipeline.Runtime.Execution.Reporting;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline replicates DIR --assembly X.dll --source-sha256 H --seeds 7,8,9</c>, hidden: the last job of a
/// replicate set submitted with <c>pipeline submit</c>. Once every seed's results job has written
/// <c>DIR/seed-S/results.json</c>, it writes the set's results.json and report.md into DIR, deciding the expectations
/// the assembly (any replicate's: they all carry the same) declares. <c>pipeline run</c> does the same after its last
/// seed.
/// </summary>
internal static class ReplicatesCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "The replicate set's folder, holding seed-S/results.json for each seed." };
        var assembly = new Option<string>("--assembly") { Description = "A replicate's compiled experiment (for its expectations).", Required = true };
        var source = new Option<string>("--source-sha256") { Description = "The source hash of the experiment as submitted, with its replicates.", Required = true };
        var seeds = new Option<string>("--seeds") { Description = "The seeds, comma-separated, in order.", Required = true };
        var command = new Command("replicates", "Write a replicate set's results.json and report.md from its seeds' runs.") { Hidden = true };
        command.Arguments.Add(folder);
        command.Options.Add(assembly);
        command.Options.Add(source);
        command.Options.Add(seeds);
        command.SetAction(parsed => Run(parsed.GetValue(folder)!, parsed.GetValue(assembly)!, parsed.GetValue(source)!, parsed.GetValue(seeds)!, Console.Out));
        return command;
    }

    public static int Run(string folder, string assembly, string sourceSha256, string seeds, TextWriter output)
    {
        if (string.IsNullOrWhiteSpace(assembly) || !File.Exists(assembly))
        {
            throw new UsageException($"--assembly '{assembly}' is not a file; give a replicate's compiled experiment.");
        }

        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            throw new UsageException($"'{folder}' is not a folder; give the replicate set's folder, which holds seed-S/results.json.");
        }

        using var host = ExperimentHost.TryLoad(assembly, null, out var problem) ?? throw new UsageException(problem!);
        var runs = seeds.Split(',').Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? new ReplicateRun(seed, $"seed-{seed}")
            : throw new UsageException($"--seeds '{seeds}' is not a comma-separated list of seeds.")).ToArray();
        (string Results, string Report, DecidedExpectations Expectations) files;
        try
        {
            files = ReplicateResultsWriter.Write(Path.GetFullPath(folder), sourceSha256, host.Experiment.Info.Expectations, runs);
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ReplicateResultsUnreadable, $"a seed's results.json under {folder} is not the results.json a run writes ({error.Message}); run that seed again.");
        }

        foreach (var line in ExpectationResults.Lines(files.Expectations))
        {
            output.WriteLine(line);
        }

        output.WriteLine($"replicates report: {DiagnosticFormatter.OneLine(files.Report)}");
        output.WriteLine($"replicates results: {DiagnosticFormatter.OneLine(files.Results)}");
        return CommandHost.Success;
    }
}

using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// A missing optional tool never fails a run after the work is done: on a GPU machine without ffmpeg the main example
/// trained and evaluated everything, then failed writing the report's GIFs (shared/notes/gpu.md).
/// </summary>
public sealed class MissingToolTests
{
    [Fact]
    public void Without_ffmpeg_a_run_writes_its_results_and_report_without_GIFs_and_warns_once()
    {
        // A PATH that holds dotnet and nothing else: no ffmpeg.
        using var bin = new TempFolder();
        var dotnet = ProcessRunner.Run("which", ["dotnet"]).StandardOutput.Trim();
        File.CreateSymbolicLink(Path.Combine(bin.Path, "dotnet"), dotnet);
        using var cache = new TempFolder();
        using var output = new TempFolder();

        var run = PipelineCli.Run(
            ["run", Path.Combine(RepoPaths.Examples, "videoalign-smoke.pipe"), "--out", output.Path, "--quiet"],
            cache.Path,
            environment: new Dictionary<string, string?> { ["PATH"] = bin.Path });

        Assert.True(run.ExitCode == 0, run.All);
        var warnings = run.StandardError.Split('\n').Where(line => line.Contains("PIPE4009", StringComparison.Ordinal)).ToArray();
        var warning = Assert.Single(warnings);
        Assert.StartsWith("warning PIPE4009: report.md has no sample GIFs: writing them needs the ffmpeg binary, which is not installed or not on PATH", warning, StringComparison.Ordinal);
        Assert.EndsWith("install ffmpeg (Debian: apt-get install ffmpeg) and run again to add them (the stages are cached, so only the report is rewritten).", warning, StringComparison.Ordinal);
        Assert.True(File.Exists(output.File("results.json")));
        var report = File.ReadAllText(output.File("report.md"));
        Assert.Contains("(No GIFs: writing them needs the ffmpeg binary", report, StringComparison.Ordinal);
        Assert.DoesNotContain(".gif)", report, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output.Path, "*.gif", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(output.File("samples")), "no empty samples/ folder when no GIF was written");
    }
}

using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// The seeded hostile experiment files of <see cref="HostileExperimentGenerator"/> through the commands that read
/// experiment files, in this process: every file through <c>check</c>; every eighth also through <c>fmt --check</c>,
/// <c>graph</c>, <c>diff</c> against an example, <c>compile</c> and <c>run --dry-run</c>. Each must end with exit 0
/// or 1 (diff: 2 when a side has errors, as 1 means "they differ"), one-line coded diagnostics (at most 100 and a
/// closing line), and no stack trace (<see cref="InProcessCli.Problem"/>).
/// </summary>
[Collection(InProcessCliCollection.Name)]
public sealed partial class GeneratedHostileFileTests(ITestOutputHelper log) : IDisposable
{
    private const int Seed = 23;
    private const int Files = 800;
    private readonly TempFolder temp = new("pipeline-generated-hostile-");

    [Fact]
    public void Seeded_hostile_files_get_coded_one_line_diagnostics_from_every_command_that_reads_them()
    {
        var generator = new HostileExperimentGenerator(Seed, Directory.CreateDirectory(temp.File("files")).FullName);
        var problems = new List<string>();
        int commandLines = 0, valid = 0;
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Files; i++)
        {
            var (path, description) = generator.Next(i);
            var runs = new List<string[]> { new[] { "check", path } };
            if (i % 8 == 0)
            {
                runs.Add(["fmt", "--check", path]);
                runs.Add(["graph", path, "--format", i % 16 == 0 ? "dot" : "mermaid"]);
                runs.Add(["diff", Path.Combine(RepoPaths.Examples, "hello.pipe"), path]);
                runs.Add(["compile", path, "-o", temp.File($"out/{i}")]);
                runs.Add(["run", path, "--dry-run", "--quiet"]);
            }

            foreach (var arguments in runs)
            {
                var result = InProcessCli.Run(temp.File("cache"), temp.Path, arguments);
                commandLines++;
                var problem = InProcessCli.Problem(result)
                    ?? (result.ExitCode == 2 && arguments[0] != "diff" ? "exit 2 (a usage error) for a file that exists" : null)
                    ?? (arguments[0] == "check" ? CheckProblem(result, path) : null);
                if (problem is not null)
                {
                    problems.Add($"seed {Seed}, file {i} ({description}), pipeline {arguments[0]}: {problem}\n{InProcessCli.Shorten(result.All)}");
                }

                if (arguments[0] == "check")
                {
                    valid += result.ExitCode == 0 ? 1 : 0;
                    foreach (Match code in Code().Matches(result.StandardOutput))
                    {
                        codes[code.Value] = codes.GetValueOrDefault(code.Value) + 1;
                    }
                }
            }
        }

        log.WriteLine($"{Files} generated files (seed {Seed}), {commandLines} command lines, {valid} files valid, {problems.Count} problems; codes: {string.Join(", ", codes.Select(p => $"{p.Key} ×{p.Value}"))}");
        Assert.True(problems.Count == 0, $"{problems.Count} problems:\n" + string.Join("\n\n", problems.Take(20)));
        Assert.True(codes.Count >= 15, $"the files reach only {codes.Count} diagnostics: {string.Join(", ", codes.Keys)}");
    }

    public void Dispose() => temp.Dispose();

    /// <summary>check's own promise: each line a diagnostic of this file (or its bases), the file's "ok", or a sweep count; at most 100 and a closing line.</summary>
    private static string? CheckProblem(ProcessRunner.Result result, string path)
    {
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var diagnostics = lines.Count(l => Diagnostic().IsMatch(l));
        if (diagnostics > 101)
        {
            return $"{diagnostics} diagnostic lines";
        }

        var folder = Path.GetDirectoryName(path)!;
        var odd = lines.FirstOrDefault(l => !(l.StartsWith(folder, StringComparison.Ordinal) || l.StartsWith("no-such-base.pipe", StringComparison.Ordinal)) || !(Diagnostic().IsMatch(l) || l == path + ": ok" || l.StartsWith(path + ": sweep expands into ", StringComparison.Ordinal)));
        return odd is null ? null : $"an unexpected line: {InProcessCli.Shorten(odd)}";
    }

    [GeneratedRegex(@"^\S.*?:( \d+:\d+:)? ?(error|warning|info) PIPE\d{4}: \S")]
    private static partial Regex Diagnostic();

    [GeneratedRegex(@"PIPE\d{4}")]
    private static partial Regex Code();
}

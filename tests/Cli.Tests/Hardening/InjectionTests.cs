using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// Injection payloads — C# that ends a string, #line and #error directives, Scriban tags, shell substitutions, SQL,
/// JSON and Markdown that end their context, terminal escapes, forged diagnostic lines, format strings, path
/// traversal, bidirectional and invisible characters — through every place a string enters: the experiment's
/// device, a data file's name (in the file and through --set), a base file's name, the experiment file's own name and
/// folder, --out, --stage, the scheduler options and reward-bench's files. What must hold everywhere: nothing runs
/// (no file INJECTED appears, the process lives on), generated C# holds the payload as one literal, JSON and the
/// registry read back, the job scripts pass the payload to the CLI as one argument, and every message is one coded line.
/// </summary>
[Collection(InProcessCliCollection.Name)]
public sealed partial class InjectionTests : IDisposable
{
    private const string Marker = "INJECTED";

    /// <summary>The payloads; in a file name a '/' becomes '∕' (a name cannot hold a slash).</summary>
    public static readonly string[] Payloads =
    [
        "\"); System.Environment.Exit(42); //",
        "\\\"); throw null; /*",
        "x\n#line 1 \"evil.cs\"\r\n#error injected",
        "{{ Model.ClassName }} {% end %} {{ end }}",
        $"$(touch {Marker})",
        $"`touch {Marker}`",
        $"'; touch {Marker}; '",
        $"\"; touch {Marker}; \"",
        "'); DROP TABLE runs; --",
        "\"}, \"injected\": {\"",
        "<script>alert(1)</script>](javascript:alert(1))",
        "\u001b[2J\u001b[31mred",
        "ok\nfake.pipe:1:1: error PIPE0001: forged",
        "{0} %s %n %% ${HOME}",
        "../../etc/passwd",
        "\u202Egnp.exe",
        "zero\u200Bwidth\uFEFF",
        "tab\tvertical\u000Bform\u000C",
    ];

    private readonly TempFolder temp = new("pipeline-injection-");
    private readonly List<string> problems = [];
    private int tried;

    [Fact]
    public void Payloads_in_every_string_place_stay_data_and_every_message_is_one_coded_line()
    {
        File.WriteAllText(temp.File("pairs.csv"), "prompt,path_A,path_B,VQ,MQ,TA\np,a.mp4,b.mp4,A,B,same\n");
        for (var i = 0; i < Payloads.Length; i++)
        {
            var payload = Payloads[i];
            var name = FileName(payload);
            var folder = Directory.CreateDirectory(temp.File($"case-{i}")).FullName;

            // The device: refused, on one line.
            var device = Write(folder, "device.pipe", Hello.Replace("device = auto", $"device = {Quote(payload)}", StringComparison.Ordinal));
            Expect(Run("check", device), 1, "PIPE2030");
            Expect(Run("run", Write(folder, "plain.pipe", Hello), "--set", $"device={Quote(payload)}", "--dry-run"), 1, "PIPE2030");

            // A data file's name, written in the file and given through --set: data in the generated code.
            File.Copy(temp.File("pairs.csv"), Path.Combine(folder, name + ".csv"));
            var data = Write(folder, "data.pipe", WithPairs(Quote(name + ".csv")));
            Expect(Run("check", data), 0, null);
            CompiledKeepsLiteral(Run("compile", data, "-o", Path.Combine(folder, "out-data")), Path.Combine(folder, "out-data", "data.g.cs"), name + ".csv");
            var viaSet = Write(folder, "viaset.pipe", WithPairs("\"pairs.csv\"").Replace("experiment data", "experiment viaset", StringComparison.Ordinal));
            File.Copy(temp.File("pairs.csv"), Path.Combine(folder, "pairs.csv"));
            CompiledKeepsLiteral(Run("compile", viaSet, "--set", $"prefs.source={Quote(name + ".csv")}", "-o", Path.Combine(folder, "out-set")), Path.Combine(folder, "out-set", "viaset.g.cs"), name + ".csv");
            Expect(Run("graph", data, "--format", "dot"), 0, null);
            Expect(Run("inspect", Path.Combine(folder, "out-data", "data.dll")), 0, null);

            // A base file's name.
            Write(folder, name + ".pipe", Hello);
            Expect(Run("check", Write(folder, "child.pipe", $"experiment child extends {Quote(name + ".pipe")} {{\n  seed = 8\n}}\n")), 0, null);
            Expect(Run("check", Write(folder, "orphan.pipe", $"experiment orphan extends {Quote(name + "-missing.pipe")} {{\n}}\n")), 1, "PIPE0040");

            // The experiment file's own name and folder, through a run (its results and the registry) and a submission.
            var own = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
            var experiment = Write(own, name + ".pipe", Hello);
            Expect(Run("check", experiment), 0, null);
            var output = Path.Combine(folder, "run-" + i);
            var run = Run("run", experiment, "--stage", "world", "--out", output, "--quiet");
            Expect(run, 0, null);
            ReadsBack(Path.Combine(output, "results.json"));
            // (A dry submission prints its job scripts as they would be written, the folder inside a quoted word.)
            Expect(Run("submit", experiment, "--slurm", "--shared-dir", Path.Combine(folder, "shared"), "--dry-run"), 0, null, scriptText: true);
            JobScriptsPassTheFolderAsOneArgument(experiment, Path.Combine(folder, "shared"), own);

            // --out and --stage.
            var outFolder = Path.Combine(folder, "out-" + name);
            Expect(Run("run", Write(folder, "hello.pipe", Hello), "--stage", "world", "--out", outFolder, "--quiet"), 0, null);
            ReadsBack(Path.Combine(outFolder, "results.json"));
            Expect(Run("run", Path.Combine(folder, "hello.pipe"), "--stage", payload, "--dry-run"), 2, "PIPE4501");

            // The scheduler's options.
            Expect(Run("submit", Path.Combine(folder, "hello.pipe"), "--slurm", "--shared-dir", Path.Combine(folder, "shared"), "--partition", payload, "--dry-run"), 1, "PIPE4401");
            Expect(Run("submit", Path.Combine(folder, "hello.pipe"), "--slurm", "--shared-dir", Path.Combine(folder, "shared"), "--time", payload, "--dry-run"), 1, "PIPE4401");

            // reward-bench: a video's path is only a key; a label must be A, B or same.
            var pairs = Write(folder, "bench-pairs.csv", $"path_A,path_B,VQ,MQ,TA\n{Csv(payload)},b,A,B,same\nc,d,{Csv(payload)},A,A\n");
            var scores = Write(folder, "bench-scores.csv", $"path,reward_VQ,reward_MQ,reward_TA\n{Csv(payload)},1,0,0\nb,0,0,0\nc,1,1,1\nd,0,0,0\n");
            Expect(Run("reward-bench", "--pairs", pairs, "--scores", scores), 1, "PIPE4104");
        }

        // The registry took every run's paths as values: it still lists and compares them.
        var runs = Run("runs", "--limit", "1000");
        Expect(runs, 0, null);
        Assert.Equal(2 * Payloads.Length, Regex.Matches(runs.StandardOutput, @"^\s*\d+\s+hello\s+succeeded", RegexOptions.Multiline).Count);
        Expect(Run("compare", "1", (2 * Payloads.Length).ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, null);

        Assert.Empty(Directory.GetFiles(temp.Path, Marker, SearchOption.AllDirectories));
        Assert.True(problems.Count == 0, $"{problems.Count} of {tried} command lines:\n" + string.Join("\n\n", problems.Take(20)));
    }

    public void Dispose() => temp.Dispose();

    private const string Hello = "experiment hello {\n  seed = 7\n  device = auto\n\n  data world = synthetic_videos {\n    prompts = 16\n    eval_prompts = 8\n    frames = 4\n    resolution = [8, 8]\n    generators = 3\n  }\n\n  model gen = flow_generator {\n    pretrain = { data: world.videos, steps: 300, lr: 1e-3, batch: 32 }\n    width = 128\n  }\n}\n";

    private static string WithPairs(string source) => $"experiment data {{\n  data prefs = preference_pairs {{ source = {source} }}\n}}\n";

    /// <summary>The payload as a name on disk: no slash, no NUL, at most 200 bytes.</summary>
    private static string FileName(string payload) => payload.Replace('/', '∕').Replace("\0", string.Empty, StringComparison.Ordinal);

    /// <summary>A string literal of the language, with its escapes.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '\u007F' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static string Csv(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Write(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private ProcessRunner.Result Run(params string[] arguments) => InProcessCli.Run(temp.File("cache"), temp.Path, arguments);

    private void Expect(ProcessRunner.Result result, int exitCode, string? code, bool scriptText = false)
    {
        tried++;
        var problem = InProcessCli.Problem(result)
            ?? (result.ExitCode != exitCode ? $"exit {result.ExitCode}, not {exitCode}" : null)
            ?? (code is not null && !result.All.Contains(code, StringComparison.Ordinal) ? $"no {code}" : null)
            ?? (!scriptText && result.All.Contains('\u001b') ? "a terminal escape reached the output" : null);
        if (problem is not null)
        {
            problems.Add($"{problem}\n{InProcessCli.Shorten(result.All)}");
        }
    }

    private void CompiledKeepsLiteral(ProcessRunner.Result result, string generated, string value)
    {
        Expect(result, 0, null);
        if (!File.Exists(generated))
        {
            return;
        }

        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(generated));
        var root = tree.GetRoot();
        if (tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)
            || root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().Count() != 1
            || !root.DescendantTokens().Any(t => t.IsKind(SyntaxKind.StringLiteralToken) && t.ValueText == value)
            || root.DescendantTrivia().Any(t => t.ToString().Contains("evil.cs", StringComparison.Ordinal)))
        {
            problems.Add($"{generated}: the payload is not one literal of an unchanged program");
        }
    }

    private void ReadsBack(string results)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(results));
            if (json.RootElement.GetProperty("experiment").GetString() != "hello")
            {
                problems.Add($"{results}: the experiment is not 'hello'");
            }
        }
        catch (Exception error) when (error is IOException or JsonException or KeyNotFoundException)
        {
            problems.Add($"{results}: {error.Message}");
        }
    }

    /// <summary>
    /// Runs each job script of a dry submission with bash, its CLI replaced by a recorder of its arguments: the
    /// experiment's folder (which holds the payload) must arrive as exactly one argument after --data-dir.
    /// </summary>
    private void JobScriptsPassTheFolderAsOneArgument(string experiment, string shared, string folder)
    {
        var recorder = Write(temp.Path, "record-arguments.sh", "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$ARGUMENTS\"\n");
        var dryRun = Run("submit", experiment, "--slurm", "--shared-dir", shared, "--dry-run");
        var scripts = dryRun.StandardOutput.Split("\n==> ").Skip(1).Select(s => s[(s.IndexOf('\n', StringComparison.Ordinal) + 1)..]).ToList();
        if (scripts.Count == 0)
        {
            problems.Add($"no job scripts for {experiment}");
        }

        foreach (var script in scripts)
        {
            var exec = ExecLine().Match(script);
            var path = Write(temp.Path, "job.sh", ExecLine().Replace(script, $"exec bash {SbatchQuote(recorder)} run"));
            var arguments = temp.File("arguments");
            File.Delete(arguments);
            var result = ProcessRunner.Run("bash", [path], temp.Path, new Dictionary<string, string?> { ["ARGUMENTS"] = arguments, ["SLURM_ARRAY_TASK_ID"] = "0" }, timeoutSeconds: 60);
            var received = File.Exists(arguments) ? File.ReadAllText(arguments).Split('\0') : [];
            var at = Array.IndexOf(received, "--data-dir");
            if (!exec.Success || result.ExitCode != 0 || at < 0 || at + 1 >= received.Length || received[at + 1] != folder)
            {
                problems.Add($"job script of {experiment}: exit {result.ExitCode}, arguments [{string.Join(" | ", received)}]\n{result.All}");
            }
        }
    }

    private static string SbatchQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The start of the line that runs the CLI: <c>exec 'HOST' ['pipeline.dll'] run</c>.</summary>
    [GeneratedRegex(@"^exec ('[^']*' )+run", RegexOptions.Multiline)]
    private static partial Regex ExecLine();
}

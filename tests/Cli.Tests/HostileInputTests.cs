using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Hostile experiment files through the real CLI (docs/language.md, "Hostile input"): each gets its stable diagnostic as
/// one line <c>path:line:col: error PIPEnnnn: message</c>, exit 1 (0 when it is valid), within a time limit, and never a
/// stack trace. The small files are committed in tests/Cli.Tests/Hostile, each stating its diagnostics in its first
/// lines (<c>// expect: LINE:COL CODE</c>, <c>// expect: ok</c>, <c>// expect-message: TEXT</c>); the big and binary
/// ones are generated here at run time (<see cref="Generated"/>), so no 10 MB file is committed.
/// </summary>
public sealed partial class HostileInputTests : IDisposable
{
    private const int TimeoutSeconds = 120;
    private static readonly string HostileDirectory = Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Hostile");
    private readonly TempFolder temp = new("pipeline-hostile-");

    public static TheoryData<string> CorpusFiles() => new(Directory.GetFiles(HostileDirectory, "*.pipe")
        .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    /// <summary>Generated cases: name, and what <see cref="Generate"/> writes; the expectation is in <see cref="Expected"/>.</summary>
    public static TheoryData<string> Generated() => new(Expected.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, string[]> Expected = new(StringComparer.Ordinal)
    {
        ["ten-megabyte-line"] = ["1:1 PIPE0001"],
        ["over-one-mebibyte-of-short-lines"] = ["1:1 PIPE0001"],
        ["forty-kilobyte-line"] = ["2:1 PIPE0002"],
        ["thirty-thousand-digit-integer"] = ["2:10 PIPE0030"],
        ["twenty-thousand-nested-lists"] = ["2:70 PIPE0003"],
        ["twenty-thousand-nested-maps"] = ["2:70 PIPE0003"],
        ["twenty-thousand-nested-calls"] = ["2:71 PIPE0003"],
        ["hundred-thousand-nested-lists-one-per-line"] = ["66:1 PIPE0003"],
        ["hundred-thousand-nested-maps-on-one-line"] = ["2:1 PIPE0002"],
        ["nul-byte"] = ["2:11 PIPE0004"],
        ["binary-garbage"] = ["1:1 PIPE0006"],
        ["invalid-utf8-byte"] = ["2:8 PIPE0006"],
        ["overlong-utf8"] = ["2:8 PIPE0006"],
        ["truncated-utf8-at-end"] = ["2:8 PIPE0006"],
        ["utf16-file"] = ["1:1 PIPE0006"],
        ["control-character"] = ["2:8 PIPE0005"],
        ["bom-crlf-tabs-valid"] = [],
        ["bom-crlf-tabs-error-position"] = ["3:5 PIPE0022"],
        ["lone-carriage-returns"] = ["1:29 PIPE0024"],
    };

    private static byte[] Generate(string name)
    {
        byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
        byte[] Bytes(params object[] parts) => parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p).ToArray();
        return name switch
        {
            "ten-megabyte-line" => Text("experiment e {\n  x = \"" + new string('a', 10 * 1024 * 1024) + "\"\n}\n"),
            "over-one-mebibyte-of-short-lines" => Text("experiment e {\n" + string.Concat(Enumerable.Repeat("  seed = 7\n", 110_000)) + "}\n"),
            "forty-kilobyte-line" => Text("experiment e {\n  x = \"" + new string('a', 40_000) + "\"\n}\n"),
            "thirty-thousand-digit-integer" => Text("experiment e {\n  seed = " + new string('9', 30_000) + "\n}\n"),
            "twenty-thousand-nested-lists" => Text("experiment e {\n  x = " + new string('[', 20_000) + "\n}\n"),
            "twenty-thousand-nested-maps" => Text("experiment e {\n  x = " + new string('{', 20_000) + "\n}\n"),
            "twenty-thousand-nested-calls" => Text("experiment e {\n  x = f" + new string('(', 20_000) + "\n}\n"),
            "hundred-thousand-nested-lists-one-per-line" => Text("experiment e {\n  x =\n" + string.Concat(Enumerable.Repeat("[\n", 100_000)) + "}\n"),
            "hundred-thousand-nested-maps-on-one-line" => Text("experiment e {\n  x = " + new string('{', 100_000) + "\n}\n"),
            "nul-byte" => Text("experiment e {\n  seed = 7\0\n}\n"),
            "binary-garbage" => Bytes(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10 }, RandomBytes(4096)),
            "invalid-utf8-byte" => Bytes("experiment e {\n  x = \"", new byte[] { 0xFF, 0xFE }, "\"\n}\n"),
            "overlong-utf8" => Bytes("experiment e {\n  x = \"", new byte[] { 0xC0, 0xAF }, "\"\n}\n"),
            "truncated-utf8-at-end" => Bytes("experiment e {\n  x = \"", new byte[] { 0xE2, 0x82 }),
            "utf16-file" => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("experiment e {\n  seed = 7\n}\n")).ToArray(),
            "control-character" => Text("experiment e {\n  x = 1\u0007\n}\n"),
            "bom-crlf-tabs-valid" => Bytes(Encoding.UTF8.GetPreamble(), "// a comment\r\nexperiment e {\r\n\tseed = 7\t// trailing\r\n\tdevice = cpu\r\n}\r\n"),
            "bom-crlf-tabs-error-position" => Bytes(Encoding.UTF8.GetPreamble(), "experiment e {\r\n\tseed = 7\r\n\tx =\r\n}\r\n"),
            "lone-carriage-returns" => Text("experiment e {\r  seed = 7\r  x = \r}\r"),
            _ => throw new ArgumentException(name),
        };
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Each_corpus_file_gets_its_expected_diagnostics_from_check(string name)
    {
        var path = Path.Combine("tests", "Cli.Tests", "Hostile", name);
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, path));
        var expected = ExpectLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(expected);
        expected.Remove("ok");
        var result = Check(path);
        AssertDiagnostics(result, expected);
        foreach (var message in ExpectMessage().Matches(text).Select(m => m.Groups[1].Value.Trim()))
        {
            Assert.Contains(message, result.StandardOutput);
        }
    }

    [Theory]
    [MemberData(nameof(Generated))]
    public void Each_generated_file_gets_its_expected_diagnostic_from_check(string name)
    {
        var path = temp.File(name + ".pipe");
        File.WriteAllBytes(path, Generate(name));
        var result = Check(path);
        AssertDiagnostics(result, Expected[name]);
        Assert.All(Diagnostics(result), d => Assert.Equal(path, d.Groups["path"].Value));

        // The offending text is never echoed whole: a 10 MB line must not come back as a 10 MB message.
        Assert.True(result.All.Length < 4_000, $"{result.All.Length} characters of output");
    }

    [Fact]
    public void Thirty_thousand_stray_closing_brackets_give_a_bounded_number_of_diagnostics()
    {
        var path = temp.File("closers.pipe");
        File.WriteAllText(path, "experiment e {\n  x = 1" + new string(']', 30_000) + "\n}\n");
        var result = Check(path);
        AssertNoTrace(result);
        Assert.Equal(1, result.ExitCode);
        var diagnostics = Diagnostics(result);
        Assert.Equal("2:8 PIPE0013", $"{diagnostics[0].Groups["line"].Value}:{diagnostics[0].Groups["column"].Value} {diagnostics[0].Groups["code"].Value}");
        Assert.InRange(diagnostics.Count, 2, 100);
    }

    [Fact]
    public void A_sweep_of_10_to_the_10_runs_is_one_diagnostic_and_a_dry_run_does_not_start_it()
    {
        // Before PIPE2020 the count overflowed (check printed 259105648809148416 runs) and a dry run compiled point after point.
        string Sweep(int from) => "sweep [" + string.Join(", ", Enumerable.Range(from, 100)) + "]";
        var path = temp.File("sweep.pipe");
        File.WriteAllText(path, $"experiment sweep {{\n  seed = {Sweep(0)}\n  data world = synthetic_videos {{\n    prompts = {Sweep(40)}\n  }}\n"
            + $"  model gen = flow_generator {{\n    pretrain = {{ data: world.videos, steps: {Sweep(10)}, lr: 1e-3, batch: {Sweep(10)} }}\n    width = {Sweep(10)}\n  }}\n}}\n");
        AssertDiagnostics(Check(path), ["8:13 PIPE2020"]);
        var dryRun = PipelineCli.Run(["run", path, "--dry-run"], temp.File("cache"), timeoutSeconds: 60);
        AssertDiagnostics(dryRun, ["8:13 PIPE2020"]);
    }

    [Fact]
    public void A_run_writes_only_into_the_folder_named_by_out()
    {
        // The world stage only (no training): nothing lands beside the experiment, in the working folder or elsewhere.
        var source = Directory.CreateDirectory(temp.File("src")).FullName;
        var working = Directory.CreateDirectory(temp.File("cwd")).FullName;
        File.Copy(Path.Combine(RepoPaths.Examples, "hello.pipe"), Path.Combine(source, "hello.pipe"));
        var output = temp.File("out");
        var result = PipelineCli.Run(["run", Path.Combine(source, "hello.pipe"), "--stage", "world", "--out", output, "--quiet"], temp.File("cache"), workingDirectory: working, timeoutSeconds: 300);
        AssertNoTrace(result);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(File.Exists(Path.Combine(output, "results.json")), result.All);
        Assert.Equal(["hello.pipe"], Directory.GetFileSystemEntries(source).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(working));
        Assert.Equal(["cache", "cwd", "out", "src"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_extends_chain_of_five_thousand_files_is_one_diagnostic_not_a_stack_overflow()
    {
        for (var i = 0; i < 5_000; i++)
        {
            File.WriteAllText(temp.File($"f{i}.pipe"), $"experiment f{i} extends \"f{i + 1}.pipe\" {{\n  seed = {i}\n}}\n");
        }

        var result = Check(temp.File("f0.pipe"));
        AssertDiagnostics(result, ["1:24 PIPE0044"]);
        Assert.StartsWith(temp.File("f63.pipe") + ":", result.StandardOutput);
    }

    [Theory]
    [InlineData("twenty-thousand-nested-maps")]
    [InlineData("ten-megabyte-line")]
    [InlineData("nul-byte")]
    [InlineData("invalid-utf8-byte")]
    [InlineData("bom-crlf-tabs-error-position")]
    [InlineData("bom-crlf-tabs-valid")]
    public void A_dry_run_reports_the_same_diagnostics_and_runs_nothing(string name)
    {
        var path = temp.File(name + ".pipe");
        File.WriteAllBytes(path, Generate(name));
        var output = Path.Combine(temp.Path, "run");
        var result = PipelineCli.Run(["run", path, "--dry-run", "--out", output], temp.File("cache"), timeoutSeconds: TimeoutSeconds);
        AssertDiagnostics(result, Expected[name]);
        Assert.False(Directory.Exists(output), "a dry run created its output folder");
    }

    [Fact]
    public void CSharp_in_strings_and_in_a_data_file_name_stays_a_literal_in_the_generated_code()
    {
        // A data file whose name is C# that would end the string, exit the process and open a new class.
        const string payload = "\"); System.Environment.Exit(42); } } class Injected { static void M() { (\"";
        var data = temp.File(payload + ".csv");
        File.WriteAllText(data, "prompt,path_A,path_B,VQ,MQ,TA\np,a.mp4,b.mp4,A,B,same\n");
        // The corpus file's device is refused (PIPE2030); a data file's name is the string that reaches the generated code.
        var source = File.ReadAllText(Path.Combine(HostileDirectory, "csharp-in-strings.pipe"))
            .Replace("  seed = 7\n", "  seed = 7\n  data prefs = preference_pairs { source = " + Literal(Path.GetFileName(data)) + " }\n", StringComparison.Ordinal);
        source = DeviceLine().Replace(source, "  device = cpu");
        var file = temp.File("csharp-in-strings.pipe");
        File.WriteAllText(file, source);
        var output = temp.File("out");

        var compiled = PipelineCli.Run(["compile", file, "-o", output], temp.File("cache"), timeoutSeconds: TimeoutSeconds);
        AssertNoTrace(compiled);
        Assert.True(compiled.ExitCode == 0, compiled.All);

        // Only the named output folder was written, and only the experiment's three files.
        Assert.Equal(["csharp_in_strings.dll", "csharp_in_strings.g.cs", "csharp_in_strings.pdb"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "cache", "csharp-in-strings.pipe", Path.GetFileName(data), "out" }.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var generated = File.ReadAllText(Path.Combine(output, "csharp_in_strings.g.cs"));
        var tree = CSharpSyntaxTree.ParseText(generated);
        Assert.DoesNotContain(tree.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        var tokens = tree.GetRoot().DescendantTokens().ToList();
        Assert.DoesNotContain(tokens, t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText is "Exit" or "Injected" or "Y");
        Assert.Contains(tokens, t => t.IsKind(SyntaxKind.StringLiteralToken) && t.ValueText == Path.GetFileName(data));
        Assert.Single(tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>());

        // Loading the assembly and planning the run executes no injected code (which would exit 42).
        var dryRun = PipelineCli.Run(["run", Path.Combine(output, "csharp_in_strings.dll"), "--dry-run"], temp.File("cache"), timeoutSeconds: TimeoutSeconds);
        AssertNoTrace(dryRun);
        Assert.True(dryRun.ExitCode == 0, dryRun.All);
    }

    [Fact]
    public void Line_breaks_quotes_and_line_directives_in_a_data_file_name_stay_literals()
    {
        // A file name may hold anything but '/' and NUL: here a line break, a #line directive and an #error. (The
        // corpus's escapes-in-strings.pipe puts NUL and an unpaired surrogate in a device, which is refused, on one line.)
        const string payload = "x\n#line 1 \"evil.cs\"\r\n#error injected";
        File.WriteAllText(temp.File(payload + ".csv"), "prompt,path_A,path_B,VQ,MQ,TA\np,a.mp4,b.mp4,A,B,same\n");
        var file = temp.File("escapes.pipe");
        File.WriteAllText(file, "experiment escapes {\n  data prefs = preference_pairs { source = " + Literal(payload + ".csv").Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + " }\n}\n");
        var output = temp.File("out");
        var compiled = PipelineCli.Run(["compile", file, "-o", output], temp.File("cache"), timeoutSeconds: TimeoutSeconds);
        AssertNoTrace(compiled);
        Assert.True(compiled.ExitCode == 0, compiled.All);
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(output, "escapes.g.cs")));
        Assert.DoesNotContain(tree.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(tree.GetRoot().DescendantTrivia(), t => t.ToString().Contains("evil.cs", StringComparison.Ordinal) || t.ToString().Contains("injected", StringComparison.Ordinal));
        Assert.Contains(tree.GetRoot().DescendantTokens(), t => t.IsKind(SyntaxKind.StringLiteralToken) && t.ValueText == payload + ".csv");
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("link-to-dev-zero")]
    [InlineData("empty")]
    [InlineData("directory")]
    public void A_data_file_that_is_not_a_regular_file_with_content_is_reported_and_never_read(string what)
    {
        // Before the fix a named pipe blocked `check` forever and a link to /dev/zero ran it out of memory.
        var data = temp.File("pairs.csv");
        switch (what)
        {
            case "fifo":
                Assert.Equal(0, ProcessRunner.Run("mkfifo", [data]).ExitCode);
                break;
            case "link-to-dev-zero":
                File.CreateSymbolicLink(data, "/dev/zero");
                break;
            case "empty":
                File.WriteAllText(data, string.Empty);
                break;
            default:
                Directory.CreateDirectory(data);
                break;
        }

        var file = temp.File("e.pipe");
        File.WriteAllText(file, "experiment e {\n  data prefs = preference_pairs { source = \"pairs.csv\" }\n}\n");
        var result = Check(file, timeoutSeconds: 60);
        AssertDiagnostics(result, [what == "directory" ? "2:44 PIPE2013" : "2:44 PIPE2019"]);
        Assert.Contains(data, result.StandardOutput);
    }

    public void Dispose() => temp.Dispose();

    private ProcessRunner.Result Check(string path, int timeoutSeconds = TimeoutSeconds) =>
        PipelineCli.Run(["check", path], temp.File("cache"), timeoutSeconds: timeoutSeconds);

    /// <summary>Exit 1 with exactly the expected <c>line:col code</c> lines (0 and none when valid), each one well-formed line.</summary>
    internal static void AssertDiagnostics(ProcessRunner.Result result, IReadOnlyList<string> expected)
    {
        AssertNoTrace(result);
        var diagnostics = Diagnostics(result);
        Assert.Equal(expected, diagnostics.Select(d => $"{d.Groups["line"].Value}:{d.Groups["column"].Value} {d.Groups["code"].Value}"));
        Assert.True(result.ExitCode == (expected.Count == 0 ? 0 : 1), $"exit {result.ExitCode}: {result.All}");
        Assert.All(diagnostics, d => Assert.DoesNotContain(d.Groups["message"].Value, c => char.IsControl(c)));
    }

    internal static void AssertNoTrace(ProcessRunner.Result result)
    {
        Assert.DoesNotMatch(StackTraceLine(), result.All);
        Assert.DoesNotMatch(ExceptionName(), result.All);
    }

    private static List<Match> Diagnostics(ProcessRunner.Result result) =>
        result.StandardOutput.Split('\n').Select(l => DiagnosticLine().Match(l.TrimEnd('\r'))).Where(m => m.Success).ToList();

    private static string Literal(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(12).NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex(@"^  device = .*$", RegexOptions.Multiline)]
    private static partial Regex DeviceLine();

    [GeneratedRegex(@"^// expect: (\d+:\d+ PIPE\d{4}|ok)$", RegexOptions.Multiline)]
    private static partial Regex ExpectLine();

    [GeneratedRegex(@"^// expect-message: (.+)$", RegexOptions.Multiline)]
    private static partial Regex ExpectMessage();

    [GeneratedRegex(@"^(?<path>.+?):(?<line>\d+):(?<column>\d+): (?<level>error|warning) (?<code>PIPE\d{4}): (?<message>.+)$")]
    private static partial Regex DiagnosticLine();

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    internal static partial Regex StackTraceLine();

    [GeneratedRegex(@"\b[A-Z][A-Za-z]*Exception\b|Unhandled exception")]
    internal static partial Regex ExceptionName();
}

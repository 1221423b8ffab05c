using Pipeline.Runtime.Data.Files;
using System.CommandLine;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Torch.Backend;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Tests.Shared;
using TorchSharp;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// Every command and every option and argument of <c>pipeline</c>, read from the command tree itself, with hostile
/// values: empty, blank, huge, NaN and infinities in every spelling, negative, overflowing, malformed, line breaks and
/// control characters, paths that are folders, devices or missing, and a folder inside the cache. Each command line
/// starts from a valid one (<see cref="Valid"/>) and changes one value, so the value is what is tested. Every result
/// must be an exit code 0, 1 or 2 with one-line coded messages and no stack trace (<see cref="InProcessCli.Problem"/>).
/// Before: <c>run --out ""</c>, <c>compile -o ""</c>, <c>reward-bench --pairs "" --scores ""</c> and
/// <c>cache gc --older-than 1e10</c> (also NaN, Infinity) ended with an unhandled exception (exit 134).
/// </summary>
[Collection(InProcessCliCollection.Name)]
public sealed class CommandArgumentTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder temp = new("pipeline-arguments-");

    /// <summary>
    /// The values tried in every place that takes one. <c>{dir}</c> is a folder with <c>garbage.bin</c> (random bytes),
    /// <c>folder</c> (a folder) and nothing named <c>missing.*</c>; <c>{cache}</c> is the cache. Devices that never end
    /// (/dev/zero) and named pipes block a reader, so the process-level CommandErrorTests try those, with a timeout.
    /// </summary>
    private static readonly string[] Values =
    [
        "", " ", "\t", "-", "--", "=", "-1", "0", "-0", "1.5", "2147483648", "-2147483649", "99999999999999999999", "-99999999999999999999",
        "NaN", "nan", "-NaN", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "∞", "1e400", "-1e400", "1e10", "0x10", "1_000", "abc",
        "a=b", "a.b=", "a.b=[[[", "gen.width=1e999", "gen.width=\"x\"", "seed=-1", "nope.nope=1",
        "line\nbreak", "tab\there", "nul\u0001ctl", "esc\u001b[2Jape", "\u202Eright-to-left", "ünïcödé∞", new string('a', 100_000), new string('9', 5_000),
        "{dir}/missing.pipe", "{dir}/missing.dll", "{dir}/missing.csv", "{dir}/folder", "{dir}/garbage.bin", "{dir}/garbage.bin/below",
        "{cache}", "{cache}/stages/mine", "/dev/null", "~", "mermaid", "dot",
    ];

    /// <summary>Values that would make an output option write outside the test's folders, tried only where a value is read.</summary>
    private static readonly string[] InputOnlyValues = ["/", "..", "/proc/self/status"];

    /// <summary>Options whose value names something written.</summary>
    private static readonly HashSet<string> Outputs = new(StringComparer.Ordinal) { "--out", "--output", "--shared-dir", "--stage-records" };

    [Fact]
    public void Every_option_and_argument_of_every_command_survives_hostile_values()
    {
        // lsp serves its standard input until the client says exit, so it cannot run here in process; its one flag
        // (--stdio) and its malformed input are tested against the real process in LanguageServer.Tests.
        var commands = Commands(PipelineCommand.Create(), []).Where(c => c.Path != "lsp").ToList();
        var valid = Valid();
        Assert.Empty(commands.Select(c => c.Path).Except(valid.Keys));

        var tried = 0;
        var problems = new List<string>();
        foreach (var (path, command) in commands)
        {
            var base_ = valid[path];
            var places = command.Options.Where(o => o.Name is not ("--help" or "--version") && !IsFlag(o)).Select(o => o.Name)
                .Concat(command.Options.Where(IsFlag).Select(o => o.Name).Where(o => o is not ("--help" or "--version")).Select(f => "flag " + f))
                .Concat(command.Arguments.Select((a, i) => "argument " + i))
                .Append("--libtorch")
                .ToList();
            foreach (var place in places)
            {
                var values = place.StartsWith("flag ", StringComparison.Ordinal) ? [string.Empty] : Outputs.Contains(place) ? Values : Values.Concat(InputOnlyValues);
                foreach (var value in values)
                {
                    var arguments = With(base_, command, place, Expand(value));
                    var result = InProcessCli.Run(Cache, temp.Path, arguments);
                    tried++;
                    if (InProcessCli.Problem(result) is { } problem)
                    {
                        problems.Add($"pipeline {InProcessCli.Shorten(string.Join(' ', arguments.Select(Quote)))}: {problem}\n{InProcessCli.Shorten(result.All)}");
                    }
                }
            }
        }

        log.WriteLine($"{tried} command lines over {commands.Count} commands, {problems.Count} problems");
        Assert.True(problems.Count == 0, $"{problems.Count} of {tried} command lines:\n" + string.Join("\n\n", problems.Take(30)));
    }

    public void Dispose() => temp.Dispose();

    private string Cache => temp.File("cache");

    private string Expand(string value) => value.Replace("{dir}", temp.Path, StringComparison.Ordinal).Replace("{cache}", Cache, StringComparison.Ordinal);

    /// <summary>
    /// A valid, cheap command line for each command: nothing trains (run and submit are dry runs), nothing is written
    /// outside the test's folder, and each names every file it needs.
    /// </summary>
    private Dictionary<string, string[]> Valid()
    {
        var hello = temp.File("hello.pipe");
        var data = temp.File("data.pipe");
        File.Copy(Path.Combine(RepoPaths.Examples, "hello.pipe"), hello, overwrite: true);
        File.Copy(Path.Combine(RepoPaths.Examples, "data.pipe"), data, overwrite: true);
        var bytes = new byte[3000];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(temp.File("garbage.bin"), bytes);
        Directory.CreateDirectory(temp.File("folder"));
        File.WriteAllText(temp.File("pairs.csv"), "path_A,path_B,VQ,MQ,TA\na,b,A,B,same\nc,d,B,same,A\n");
        File.WriteAllText(temp.File("scores.csv"), "path,reward_VQ,reward_MQ,reward_TA\na,1,2,3\nb,0,0,0\nc,-1,0.5,2\nd,2,0.5,1\n");
        WriteScoringInputs();
        Directory.CreateDirectory(temp.File("set/seed-7"));
        File.WriteAllText(temp.File("set/seed-7/results.json"), """{ "experiment": "hello", "seed": 7, "device": "cpu", "runtime_version": "0", "stages": {}, "win_rates": { "oracle": { "a": { "TA": 0.5, "n": 8 } } } }""");
        var compiled = InProcessCli.Run(Cache, temp.Path, "compile", hello, "-o", temp.File("compiled"));
        Assert.True(compiled.ExitCode == 0, compiled.All);

        return new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["doctor"] = ["doctor"],
            ["run"] = ["run", hello, "--dry-run", "--quiet"],
            ["check"] = ["check", hello],
            ["fmt"] = ["fmt", "--check", hello],
            ["diff"] = ["diff", hello, data],
            ["reward-bench"] = ["reward-bench", "--pairs", temp.File("pairs.csv"), "--scores", temp.File("scores.csv")],
            ["score"] = ["score", temp.File("score-pairs.csv"), "--model", temp.File("vr.safetensors"), "--output", temp.File("scored.csv")],
            ["compile"] = ["compile", hello, "-o", temp.File("out")],
            ["inspect"] = ["inspect", temp.File("compiled/hello.dll")],
            ["graph"] = ["graph", hello],
            ["cache ls"] = ["cache", "ls"],
            ["cache gc"] = ["cache", "gc"],
            ["runs"] = ["runs"],
            ["compare"] = ["compare", "1", "2"],
            ["submit"] = ["submit", hello, "--slurm", "--shared-dir", temp.File("shared"), "--dry-run"],
            ["status"] = ["status", "1"],
            ["kinds"] = ["kinds", "flow_dpo"],
            ["replicates"] = ["replicates", temp.File("set"), "--assembly", temp.File("compiled/hello.dll"), "--source-sha256", "abc", "--seeds", "7"],
        };
    }

    /// <summary>A tiny VideoReward-mini model file and a pair file of two 2-frame .npy videos, for <c>score</c>.</summary>
    private void WriteScoringInputs()
    {
        TorchBackend.EnsureInitialized();
        var network = new VideoRewardNetwork(["VQ", "MQ", "TA"], RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, 2);
        VideoRewardFile.Save(new VideoRewardModel(network, new VideoShape(3, 2, 8, 8), RewardLoss.Bt, torch.CPU, new RewardNormalization([0, 0, 0], [1, 1, 1])), temp.File("vr.safetensors"));
        var random = new Random(5);
        foreach (var name in new[] { "va.npy", "vb.npy" })
        {
            NpyFile.WriteFloat32(temp.File(name), Enumerable.Range(0, 2 * 8 * 8 * 3).Select(_ => (float)random.NextDouble()).ToArray(), [2, 8, 8, 3]);
        }

        File.WriteAllText(temp.File("score-pairs.csv"), "path_A,path_B,prompt,VQ,MQ,TA\nva.npy,vb.npy,a red disk moving left,A,B,same\n");
    }

    /// <summary>
    /// The valid command line with <paramref name="place"/> given <paramref name="value"/>: an option's value replaced
    /// (or the option added), a flag added, or an argument replaced. A run's --dry-run stays, so nothing trains.
    /// </summary>
    private static string[] With(string[] valid, Command command, string place, string value)
    {
        var arguments = valid.ToList();
        if (place.StartsWith("flag ", StringComparison.Ordinal))
        {
            arguments.Add(place[5..]);
            return arguments.ToArray();
        }

        if (place.StartsWith("argument ", StringComparison.Ordinal))
        {
            var index = int.Parse(place[9..], System.Globalization.CultureInfo.InvariantCulture);
            var positions = Enumerable.Range(0, arguments.Count)
                .Where(i => i >= CommandWords(valid) && !arguments[i].StartsWith('-') && (i == 0 || !TakesValue(command, arguments[i - 1])))
                .ToList();
            if (index < positions.Count)
            {
                arguments[positions[index]] = value;
            }
            else
            {
                arguments.Add(value);
            }

            return arguments.ToArray();
        }

        var option = command.Options.FirstOrDefault(o => o.Name == place || o.Aliases.Contains(place));
        var at = arguments.FindIndex(a => a == place || (option is not null && option.Aliases.Contains(a)));
        if (at >= 0 && at + 1 < arguments.Count)
        {
            arguments[at + 1] = value;
        }
        else
        {
            arguments.Add(place);
            arguments.Add(value);
        }

        return arguments.ToArray();
    }

    private static int CommandWords(string[] valid) => valid[0] == "cache" ? 2 : 1;

    private static bool TakesValue(Command command, string word) =>
        command.Options.FirstOrDefault(o => o.Name == word || o.Aliases.Contains(word)) is { } option && !IsFlag(option);

    private static bool IsFlag(Option option) => option.ValueType == typeof(bool);

    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string[] prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            var path = prefix.Append(sub.Name).ToArray();
            if (sub.Subcommands.Count > 0)
            {
                foreach (var nested in Commands(sub, path))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return (string.Join(' ', path), sub);
            }
        }
    }

    private static string Quote(string argument) => argument.Length == 0 || argument.Any(char.IsWhiteSpace) ? $"'{argument}'" : argument;
}

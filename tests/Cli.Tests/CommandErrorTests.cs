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

namespace Pipeline.Cli.Tests;

/// <summary>
/// Every command of <c>pipeline --help</c> with bad input (a missing file, a folder instead of a file, a garbage file,
/// bad options, a broken cache): exit 1 (a diagnostic) or 2 (usage), one line per problem, and never a stack trace or
/// an exception's type name. <c>{dir}</c> in an argument is a folder holding <c>garbage.*</c> (random bytes),
/// folders named <c>folder.*</c>, and nothing named <c>missing.*</c>.
/// </summary>
public sealed class CommandErrorTests : IDisposable
{
    private const string Hello = "examples/hello.pipe";
    private readonly TempFolder temp = new("pipeline-errors-");

    public CommandErrorTests()
    {
        var bytes = new byte[3000];
        new Random(5).NextBytes(bytes);
        foreach (var extension in new[] { "pipe", "dll", "csv", "bin", "safetensors" })
        {
            File.WriteAllBytes(temp.File("garbage." + extension), bytes);
            Directory.CreateDirectory(temp.File("folder." + extension));
            File.CreateSymbolicLink(temp.File("zero." + extension), "/dev/zero");
            ProcessRunner.Run("mkfifo", [temp.File("fifo." + extension)]);
        }

        // A valid VideoReward-mini file, so that score reaches the videos it is given.
        TorchBackend.EnsureInitialized();
        var network = new VideoRewardNetwork(["VQ", "MQ", "TA"], RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, 2);
        VideoRewardFile.Save(new VideoRewardModel(network, new VideoShape(3, 2, 8, 8), RewardLoss.Bt, torch.CPU), temp.File("model.safetensors"));
    }

    /// <summary>Every command (the list is checked against <c>pipeline --help</c>) with each kind of bad input.</summary>
    public static TheoryData<string> Cases() => new(
        // doctor
        "doctor --libtorch {dir}/missing",
        "doctor --libtorch {dir}/garbage.bin",
        "doctor --bogus",
        // run
        "run",
        "run {dir}/missing.pipe",
        "run {dir}/folder.pipe",
        "run {dir}/garbage.pipe",
        "run {dir}/missing.dll",
        "run {dir}/folder.dll",
        "run {dir}/garbage.dll",
        "run {dir}/zero.dll",
        "run {dir}/fifo.dll",
        "run {dir}/zero.pipe",
        "run {dir}/fifo.pipe",
        "run {dir}/garbage.dll --set a.b=1",
        $"run {Hello} --bogus",
        $"run {Hello} --set nodot",
        $"run {Hello} --set =3",
        $"run {Hello} --set gen.width= --dry-run",
        $"run {Hello} --set gen.width=[[[ --dry-run",
        $"run {Hello} --set gen.width=1e999 --dry-run",
        $"run {Hello} --set gen.nope=1 --dry-run",
        $"run {Hello} --set nope.width=1 --dry-run",
        $"run {Hello} --stage nope --dry-run",
        $"run {Hello} --out {{dir}}/garbage.bin",
        // check
        "check",
        "check {dir}/missing.pipe",
        "check {dir}/folder.pipe",
        "check {dir}/garbage.pipe",
        "check {dir}/zero.pipe",
        "check {dir}/fifo.pipe",
        $"check {Hello} --set nodot",
        $"check {Hello} --set gen.width=[[[",
        // fmt
        "fmt",
        "fmt {dir}/missing.pipe",
        "fmt {dir}/folder.pipe",
        "fmt {dir}/garbage.pipe",
        "fmt --check {dir}/garbage.pipe",
        "fmt {dir}/zero.pipe",
        "fmt {dir}/fifo.pipe",
        // diff
        "diff {dir}/missing.pipe {dir}/garbage.pipe",
        "diff {dir}/folder.pipe {dir}/folder.pipe",
        "diff {dir}/garbage.pipe {dir}/garbage.pipe",
        "diff --json {dir}/garbage.pipe {dir}/garbage.pipe",
        "diff {dir}/garbage.pipe",
        "diff {dir}/zero.pipe {dir}/fifo.pipe",
        $"diff {Hello} {Hello} --set gen.nope.x.y=1",
        $"diff --git a b c d e f g --set gen.width=1",
        // reward-bench
        "reward-bench",
        "reward-bench --pairs {dir}/missing.csv --scores {dir}/missing.csv",
        "reward-bench --pairs {dir}/folder.csv --scores {dir}/folder.csv",
        "reward-bench --pairs {dir}/garbage.csv --scores {dir}/garbage.csv",
        "reward-bench --pairs {dir}/garbage.csv --scores {dir}/garbage.csv --json",
        "reward-bench --pairs {dir}/zero.csv --scores {dir}/garbage.csv",
        "reward-bench --pairs {dir}/fifo.csv --scores {dir}/garbage.csv",
        // compile
        "compile",
        "compile {dir}/missing.pipe",
        "compile {dir}/folder.pipe",
        "compile {dir}/garbage.pipe",
        "compile {dir}/zero.pipe",
        $"compile {Hello} --set bad",
        $"compile {Hello} -o {{dir}}/garbage.bin",
        $"compile {Hello} --point 0",
        $"compile {Hello} --point -1",
        $"compile {Hello} --point abc",
        // inspect
        "inspect",
        "inspect {dir}/missing.dll",
        "inspect {dir}/folder.dll",
        "inspect {dir}/garbage.dll",
        "inspect {dir}/garbage.pipe",
        "inspect {dir}/zero.dll",
        "inspect {dir}/fifo.dll",
        "inspect {dir}/missing.safetensors",
        "inspect {dir}/folder.safetensors",
        "inspect {dir}/garbage.safetensors",
        "inspect {dir}/zero.safetensors",
        "inspect {dir}/fifo.safetensors",
        // score
        "score",
        "score {dir}/missing.csv --model {dir}/missing.safetensors --output {dir}/scores.csv",
        "score {dir}/garbage.csv --model {dir}/garbage.safetensors --output {dir}/scores.csv",
        "score {dir}/folder.csv --model {dir}/folder.safetensors --output {dir}/scores.csv",
        "score {dir}/folder.csv --model {dir}/zero.safetensors --output {dir}/scores.csv",
        "score {dir}/folder.csv --model {dir}/fifo.safetensors --output {dir}/scores.csv",
        "score {dir}/zero.csv --model {dir}/model.safetensors --output {dir}/scores.csv",
        "score {dir}/fifo.csv --model {dir}/model.safetensors --output {dir}/scores.csv",
        "score {dir}/garbage.csv --model {dir}/model.safetensors --output {dir}/scores.csv",
        "score {dir}/folder.csv --model {dir}/model.safetensors --output {dir}/scores.csv",
        "score {dir}/missing.csv --model {dir}/model.safetensors --output {dir}/scores.csv",
        "score {dir}/garbage.bin --model {dir}/model.safetensors --output {dir}/scores.csv",
        "score {dir}/garbage.csv --model {dir}/garbage.safetensors --output {dir}/garbage.bin",
        "score {dir}/garbage.csv --model {dir}/garbage.safetensors --output {dir}/folder.csv",
        "score {dir}/garbage.csv --model {dir}/garbage.safetensors --output {dir}/scores.csv --fps -1",
        // graph
        "graph {dir}/missing.pipe",
        "graph {dir}/folder.pipe",
        "graph {dir}/garbage.pipe",
        "graph {dir}/fifo.pipe",
        $"graph {Hello} --format png",
        $"graph {Hello} --set nope.width=1",
        // kinds
        "kinds nope",
        "kinds flow_dpo --markdown",
        "kinds a b",
        // cache
        "cache",
        "cache bogus",
        "cache gc --older-than -5",
        "cache gc --older-than abc",
        // runs
        "runs --limit 0",
        "runs --limit abc",
        // compare
        "compare",
        "compare 1 2",
        "compare abc def",
        "compare 99999999999999999999 1",
        // submit
        "submit",
        "submit {dir}/missing.pipe --slurm --shared-dir {dir}/shared --dry-run",
        "submit {dir}/folder.pipe --slurm --shared-dir {dir}/shared --dry-run",
        "submit {dir}/garbage.pipe --slurm --shared-dir {dir}/shared --dry-run",
        "submit {dir}/fifo.pipe --slurm --shared-dir {dir}/shared --dry-run",
        $"submit {Hello} --dry-run",
        $"submit {Hello} --slurm --dry-run",
        $"submit {Hello} --slurm --shared-dir {{dir}} --time soon --dry-run",
        $"submit {Hello} --slurm --shared-dir {{dir}} --gpus-per-task abc --dry-run",
        $"submit {Hello} --slurm --shared-dir {{dir}}/garbage.bin",
        // status
        "status",
        "status abc",
        "status 1",
        // lsp (with good arguments it serves standard input: LanguageServer.Tests)
        "lsp --bogus",
        "lsp {dir}/garbage.pipe");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_exits_1_or_2_without_a_stack_trace(string arguments)
    {
        var result = Run(arguments, temp.File("cache"));
        HostileInputTests.AssertNoTrace(result);
        Assert.True(result.ExitCode is 1 or 2, $"exit {result.ExitCode}: {result.All}");
        Assert.False(string.IsNullOrWhiteSpace(result.StandardError + result.StandardOutput), "no message at all");
    }

    /// <summary>A registry that is not a database, and a cache "folder" that is a file: the commands that read them say so.</summary>
    [Theory]
    [InlineData("runs", "registry")]
    [InlineData("compare 1 2", "registry")]
    [InlineData("status 1", "registry")]
    [InlineData("runs", "file")]
    [InlineData("compare 1 2", "file")]
    [InlineData("cache ls", "file")]
    [InlineData("cache gc", "file")]
    public void A_broken_cache_is_reported_not_thrown(string arguments, string broken)
    {
        var cache = temp.File("cache");
        if (broken == "registry")
        {
            Directory.CreateDirectory(cache);
            File.Copy(temp.File("garbage.bin"), Path.Combine(cache, "registry.db"));
        }
        else
        {
            File.Copy(temp.File("garbage.bin"), cache);
        }

        var result = Run(arguments, cache);
        HostileInputTests.AssertNoTrace(result);
        Assert.True(result.ExitCode is 0 or 1 or 2, $"exit {result.ExitCode}: {result.All}");
        if (arguments.StartsWith("runs", StringComparison.Ordinal) || arguments.StartsWith("compare", StringComparison.Ordinal))
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("error PIPE4304: the run registry", result.StandardError);
        }
    }

    [Fact]
    public void The_cases_cover_every_command_of_the_help()
    {
        var help = PipelineCli.Run(["--help"], temp.File("cache"), timeoutSeconds: 60);
        var commands = help.StandardOutput.Split("Commands:")[1].Split('\n')
            .Select(l => l.Trim().Split(' ')[0]).Where(c => c.Length > 0).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("doctor", commands);
        var covered = ((IEnumerable<object[]>)Cases()).Select(row => ((string)row[0]).Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(commands.Except(covered));
    }

    [Fact]
    public void The_git_diff_driver_with_wrong_arguments_says_so_and_exits_0_as_git_needs()
    {
        var result = Run("diff --git a b c", temp.File("cache"));
        HostileInputTests.AssertNoTrace(result);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("expects the 7 arguments", result.All);
    }

    public void Dispose() => temp.Dispose();

    private ProcessRunner.Result Run(string arguments, string cache) =>
        PipelineCli.Run(arguments.Replace("{dir}", temp.Path, StringComparison.Ordinal).Split(' '), cache, timeoutSeconds: 60);
}

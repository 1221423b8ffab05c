using System.CommandLine;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Evaluation;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline reward-bench --pairs PAIRS.csv --scores SCORES.csv [--json]</c>: pairwise accuracy with and without
/// ties, per dimension, of any reward model's per-video scores on labelled pairs (<see cref="RewardBench"/>).
/// </summary>
internal static class RewardBenchCommand
{
    public static Command Create()
    {
        var pairs = new Option<string>("--pairs") { Required = true, Description = "Labelled pairs in the VideoGen-RewardBench columns: path_A, path_B, VQ, MQ, TA[, Overall] with A, B or same." };
        var scores = new Option<string>("--scores") { Required = true, Description = "Per-video scores: path, reward_VQ, reward_MQ, reward_TA[, reward_Overall]." };
        var json = new Option<bool>("--json") { Description = "Print {\"VQ\": {\"with_ties\": …, \"without_ties\": …}, …} with fractions at full precision." };
        var command = new Command("reward-bench", "Pairwise accuracy with and without ties (tie calibration) of a reward model's scores, per dimension.");
        command.Options.Add(pairs);
        command.Options.Add(scores);
        command.Options.Add(json);
        command.SetAction(parsed =>
        {
            RequireContent(parsed.GetValue(pairs)!, "--pairs");
            RequireContent(parsed.GetValue(scores)!, "--scores");
            var results = RewardBench.Run(parsed.GetValue(pairs)!, parsed.GetValue(scores)!);
            Console.Out.Write(parsed.GetValue(json) ? RewardBench.ToJson(results) + Environment.NewLine : RewardBench.ToTable(results));
            return CommandHost.Success;
        });
        return command;
    }

    /// <summary>
    /// The readers read a file to its end: a named pipe would block and a device (a link to /dev/zero) would never end,
    /// so a file whose target has no content is refused first. A missing file is left to the reader (PIPE4101).
    /// </summary>
    internal static void RequireContent(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option} needs a CSV file; '{path}' names none.");
        }

        var file = new FileInfo(path);
        var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        if (target.Exists && target.Length == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{path}: the file is empty, or not a regular file (a pipe or a device); name a CSV file.");
        }
    }
}

using System.CommandLine;
using System.Globalization;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Torch.Backend;
using Pipeline.Runtime.Torch.Safetensors;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline score VIDEOS --model MODEL [--stage NAME] --output SCORES.csv [--prompt TEXT] [--fps N]</c>: scores the
/// videos of a VideoGen-RewardBench pair file (or of a folder) with a VideoReward-mini model — a model file, or a
/// run's exported one (<see cref="RunModelFile"/>) — and writes the per-video score file that
/// <c>pipeline reward-bench --scores</c> reads (<see cref="VideoScoring"/>).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var videos = new Argument<string>("videos") { Description = "A pair CSV in the VideoGen-RewardBench columns (path_A, path_B, prompt, …), or a folder of video files." };
        var model = new Option<string>("--model") { Required = true, Description = "A VideoReward-mini model file (.safetensors), or a run that trained one: its --out folder or its id (pipeline runs)." };
        var stage = new Option<string?>("--stage") { Description = "The run's video_reward stage to score with, when it has more than one." };
        var output = new Option<string>("--output") { Required = true, Description = "The score CSV to write: path, model, prompt, fps, num_frames, reward_VQ, reward_MQ, reward_TA, reward_Overall." };
        var prompt = new Option<string>("--prompt") { Description = "The prompt a folder's videos are scored against (a pair file gives each video its own)." };
        var fps = new Option<string>("--fps") { Description = "Frames per second sampled from each video; default: the model file's pipeline.video_fps, else 2 (preference_pairs' default)." };
        var command = new Command("score", "Score videos with a VideoReward-mini model (a file, or a run's); writes the per-video scores reward-bench reads.");
        command.Arguments.Add(videos);
        command.Options.Add(model);
        command.Options.Add(stage);
        command.Options.Add(output);
        command.Options.Add(prompt);
        command.Options.Add(fps);
        command.SetAction(parsed => Run(parsed.GetValue(videos)!, parsed.GetValue(model)!, parsed.GetValue(stage), parsed.GetValue(output)!, parsed.GetValue(prompt), parsed.GetValue(fps), Console.Out, Console.Error));
        return command;
    }

    public static int Run(string videos, string modelName, string? stage, string output, string? prompt, string? fps, TextWriter stdout, TextWriter stderr)
    {
        // A .csv name keeps the write away from devices and system files (/dev/null, /proc/…), which the atomic rename
        // would replace: .NET cannot tell a device from an empty file.
        var outputPath = OutputFolder.Require(output, "--output");
        if (!outputPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || Directory.Exists(outputPath))
        {
            throw new UsageException($"--output '{output}' {(Directory.Exists(outputPath) ? "is a folder" : "does not end in .csv")}; name the .csv file to write.");
        }

        double? rate = null;
        if (fps is not null)
        {
            rate = double.TryParse(fps, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value > 0 && value <= 1000
                ? value
                : throw new UsageException($"--fps '{fps}' is not a frame rate; give a number of frames per second above 0 (at most 1000).");
        }

        // The model file's header first: it is read without torch, and a wrong file is the likelier mistake.
        var modelPath = RunModelFile.Resolve(modelName, stage, ModelKinds.VideoReward);
        var metadata = ModelFile.ReadMetadata(modelPath);
        metadata.Require(ModelKinds.VideoReward);
        if (string.IsNullOrWhiteSpace(videos))
        {
            throw new UsageException($"the videos to score are a pair .csv file or a folder; '{videos}' names neither.");
        }

        IReadOnlyList<VideoToScore> list;
        var folder = Directory.Exists(videos);
        if (folder)
        {
            list = VideoScoring.FromFolder(videos, prompt ?? string.Empty);
        }
        else if (videos.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && File.Exists(videos))
        {
            if (prompt is not null)
            {
                throw new UsageException("--prompt is for a folder of videos; a pair file gives each video its prompt.");
            }

            RewardBenchCommand.RequireContent(videos, "videos");
            list = VideoScoring.FromPairFile(videos);
        }
        else
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ScoreInputInvalid,
                File.Exists(videos)
                    ? $"{videos}: score reads a pair .csv file (VideoGen-RewardBench columns) or a folder of videos, not this file."
                    : $"{videos}: no such file or folder; name a pair .csv file or a folder of videos.");
        }

        TorchBackend.EnsureInitialized();
        var model = VideoRewardFile.Load(modelPath, CPU);
        if (folder && prompt is null && VideoScoring.ReadsPrompt(model))
        {
            Warn(stderr, RuntimeDiagnosticCodes.ScoreWithoutPrompt, $"the videos are scored against an empty prompt, but {string.Join(", ", model.Dimensions.Where(d => !Runtime.Torch.Models.Reward.VideoRewardNetwork.IsContextAgnostic(d)))} reads it; give --prompt TEXT");
        }

        if (model.Normalization is null)
        {
            Warn(stderr, RuntimeDiagnosticCodes.ScoreWithoutNormalization, $"{modelPath} has no normalisation statistics (pipeline.score_mean, pipeline.score_deviation): the scores are raw and reward_Overall is left out");
        }

        var sampled = rate ?? model.VideoFps ?? VideoScoring.DefaultFps;
        var (columns, rows) = VideoScoring.Score(model, list, sampled);
        DurableFile.WriteAllText(outputPath, VideoScoring.ToCsv(list, columns, rows), "score file");
        var shape = model.Shape;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scored {list.Count} video{(list.Count == 1 ? string.Empty : "s")} ({shape.Frames} frames at {sampled:0.###} fps, {shape.Height}×{shape.Width}) on {string.Join(", ", columns)}: {output}"));
        return CommandHost.Success;
    }

    private static void Warn(TextWriter stderr, string code, string message) =>
        stderr.WriteLine(CommandHost.Format(new PipelineException(code, message + "."), "warning"));
}

using Pipeline.Runtime.Data.Files;
using Pipeline.Cli.Tests.Hardening;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Torch.Backend;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Runtime.Torch;
using Pipeline.Tests.Shared;
using static TorchSharp.torch;

namespace Pipeline.Cli.Tests;

/// <summary>What <c>pipeline score</c> and <c>pipeline inspect FILE.safetensors</c> say about wrong inputs: one coded line each, exit 1 or 2.</summary>
[Collection(InProcessCliCollection.Name)]
public sealed class ModelCommandErrorTests : IDisposable
{
    private readonly TempFolder temp = new("pipeline-model-commands-");

    public ModelCommandErrorTests()
    {
        TorchBackend.EnsureInitialized();
        var shape = new VideoShape(3, 2, 8, 8);
        var network = new VideoRewardNetwork(["VQ", "MQ", "TA"], RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, 2);
        VideoRewardFile.Save(new VideoRewardModel(network, shape, RewardLoss.Bt, CPU), temp.File("raw.safetensors"));
        var autoencoder = new VideoAutoencoder(shape, new LatentShape(2, 2, 4, 4), 4);
        FlowGeneratorFile.Save(new FlowGeneratorModel(new VelocityConvNet(autoencoder.LatentShape, 4), shape, LatentSpace.Restore(autoencoder, [0, 0], [1, 1]), 2, 1, CPU), temp.File("generator.safetensors"));
        SafetensorsFile.Write(temp.File("plain.safetensors"), new Dictionary<string, string>(), [("w", zeros(2, 3))]);
        File.WriteAllBytes(temp.File("bad.safetensors"), [.. BitConverter.GetBytes(50UL), .. "{}"u8.ToArray()]);
        foreach (var name in new[] { "va.npy", "vb.npy" })
        {
            NpyFile.WriteFloat32(temp.File(name), new float[2 * 8 * 8 * 3], [2, 8, 8, 3]);
        }

        File.WriteAllText(temp.File("pairs.csv"), "path_A,path_B,prompt,VQ,MQ,TA\nva.npy,./vb.npy,a red disk,A,B,same\n");
        File.WriteAllText(temp.File("notes.txt"), "not videos\n");
    }

    [Theory]
    [InlineData("generator.safetensors", "pairs.csv", "scores.csv", 1, "error PIPE4604: {dir}/generator.safetensors: the file holds the model kind 'flow_generator', not 'video_reward'.")]
    [InlineData("missing.safetensors", "pairs.csv", "scores.csv", 1, "error PIPE4605: {dir}/missing.safetensors: no such file; name a .safetensors model file.")]
    [InlineData("bad.safetensors", "pairs.csv", "scores.csv", 1, "error PIPE4601: {dir}/bad.safetensors: not a valid safetensors file: the header length 50 runs past the end of the file (10 bytes): it is truncated, or not a safetensors file.")]
    [InlineData("plain.safetensors", "pairs.csv", "scores.csv", 1, "error PIPE4603: {dir}/plain.safetensors: the file has no 'pipeline.model' in its metadata, so it is not a Pipeline model file; export one from a run, or write it with python/pipeline_models.py.")]
    [InlineData("raw.safetensors", "notes.txt", "scores.csv", 1, "error PIPE4606: {dir}/notes.txt: score reads a pair .csv file (VideoGen-RewardBench columns) or a folder of videos, not this file.")]
    [InlineData("raw.safetensors", "pairs.csv", "scores.txt", 2, "error PIPE4501: --output '{dir}/scores.txt' does not end in .csv; name the .csv file to write.")]
    public void Score_refuses_what_it_cannot_use_in_one_coded_line(string model, string videos, string output, int exit, string message)
    {
        var result = InProcessCli.Run(Cache, temp.Path, "score", temp.File(videos), "--model", temp.File(model), "--output", temp.File(output));

        Assert.Equal(exit, result.ExitCode);
        Assert.Equal(message.Replace("{dir}", temp.Path, StringComparison.Ordinal), result.StandardError.Trim());
        Assert.False(File.Exists(temp.File(output)));
    }

    [Theory]
    [InlineData("--prompt", "a disk", "error PIPE4501: --prompt is for a folder of videos; a pair file gives each video its prompt.")]
    [InlineData("--fps", "NaN", "error PIPE4501: --fps 'NaN' is not a frame rate; give a number of frames per second above 0 (at most 1000).")]
    [InlineData("--fps", "0", "error PIPE4501: --fps '0' is not a frame rate; give a number of frames per second above 0 (at most 1000).")]
    public void Score_options_that_do_not_fit_are_usage_errors(string option, string value, string message)
    {
        var result = InProcessCli.Run(Cache, temp.Path, "score", temp.File("pairs.csv"), "--model", temp.File("raw.safetensors"), "--output", temp.File("scores.csv"), option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(message, result.StandardError.Trim());
    }

    [Fact]
    public void Scores_of_a_model_without_statistics_are_raw_without_Overall_and_it_says_so()
    {
        var result = InProcessCli.Run(Cache, temp.Path, "score", temp.File("pairs.csv"), "--model", temp.File("raw.safetensors"), "--output", temp.File("scores.csv"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"warning PIPE4608: {temp.File("raw.safetensors")} has no normalisation statistics (pipeline.score_mean, pipeline.score_deviation): the scores are raw and reward_Overall is left out.", result.StandardError.Trim());
        var rows = CsvRecords.Parse(File.ReadAllText(temp.File("scores.csv")), "scores.csv");
        Assert.Equal(["path", "model", "prompt", "fps", "num_frames", "reward_VQ", "reward_MQ", "reward_TA"], rows[0].Fields);
        Assert.Equal(["va.npy", "vb.npy"], rows.Skip(1).Select(r => r.Fields[0]));
    }

    [Fact]
    public void Inspect_shows_any_safetensors_file_and_refuses_a_damaged_one_in_one_line()
    {
        var plain = InProcessCli.Run(Cache, temp.Path, "inspect", temp.File("plain.safetensors"));
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("model     (no pipeline.model: not a Pipeline model file)\nmetadata\ntensors\n  w  F32   [2, 3]\n", plain.StandardOutput);

        var bad = InProcessCli.Run(Cache, temp.Path, "inspect", temp.File("bad.safetensors"));
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith($"error PIPE4601: {temp.File("bad.safetensors")}: not a valid safetensors file:", bad.StandardError);
        Assert.Single(bad.StandardError.Trim().Split('\n'));
    }

    public void Dispose() => temp.Dispose();

    private string Cache => temp.File("cache");
}

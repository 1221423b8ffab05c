using System.Globalization;
using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// A researcher's path with the paper repository's own example (examples/videoalign-example, 12 labelled pairs
/// of six real mp4 clips): train VideoReward-mini on it with <c>pipeline run</c>, which exports the trained model into
/// the run's <c>models/</c> folder, look at it with <c>pipeline inspect</c>, score the videos with <c>pipeline score</c>
/// from the run (its folder or its id) and benchmark the scores with <c>pipeline reward-bench</c> — every command a real
/// process.
/// </summary>
public sealed class ScoreCommandTests
{
    private static readonly string Example = RepoPaths.VideoAlignExample;

    [Fact]
    public void A_reward_model_trained_on_the_official_example_scores_its_videos_and_reward_bench_reads_the_scores()
    {
        Assert.True(File.Exists(Path.Combine(Example, "example.csv")), $"the fixture is missing at {Example}");
        using var folder = new TempFolder("pipeline-score-");
        var cache = folder.File("cache");
        var experiment = folder.File("example_reward.pipe");
        File.WriteAllText(experiment, $$"""
            // VideoReward-mini on the paper repository's example pairs.
            experiment example_reward {
              seed = 7
              device = cpu

              data prefs = preference_pairs {
                source     = "{{Path.Combine(Example, "example.csv")}}"
                split      = { train: 0.67, eval: 0.33 }
                frames     = 4
                resolution = [16, 16]
                fps        = 3
              }

              reward vr = video_reward {
                train  = prefs.train
                eval   = prefs.eval
                width  = 8
                epochs = 2
                batch  = 4
              }
            }

            """);
        var run = Succeeds(PipelineCli.Run(["run", experiment, "--out", folder.File("out"), "--quiet"], cache));
        Assert.Matches(@"\nmodels: \S+/out/models \(1 file, [0-9.]+ MB, 1 linked to the stage cache, [0-9.]+ s\)\n", run.StandardOutput);

        // The run exported its model with its provenance (docs/contracts.md "Model files"), as the stage cache holds it.
        using var results = JsonDocument.Parse(File.ReadAllText(folder.File("out/results.json")));
        var hash = results.RootElement.GetProperty("stages").GetProperty("vr").GetProperty("hash").GetString()!;
        var model = folder.File("out/models/vr.safetensors");
        Assert.Equal(["vr.safetensors"], Directory.GetFiles(folder.File("out/models")).Select(Path.GetFileName));
        Assert.Equal(
            new ModelProvenance("example_reward", results.RootElement.GetProperty("source_sha256").GetString()!, "vr", hash, "video_reward"),
            ModelFile.ReadMetadata(model).Provenance);

        var inspected = Succeeds(PipelineCli.Run(["inspect", model], cache)).StandardOutput;
        Assert.Contains("model     video_reward (pipeline-model/1)", inspected);
        Assert.Matches($@"pipeline\.stage_hash +{hash}\n", inspected);
        Assert.Matches(@"pipeline\.experiment +example_reward\n", inspected);
        Assert.Matches(@"pipeline\.dimensions +\[""VQ"",""MQ"",""TA""\]\n", inspected);
        Assert.Matches(@"pipeline\.video_fps +3\n", inspected);
        Assert.Matches(@"video\.spatial1\.weight +F32   \[8, 6, 1, 3, 3\]\n", inspected);

        var scores = folder.File("scores.csv");
        var scored = Succeeds(PipelineCli.Run(["score", Path.Combine(Example, "example.csv"), "--model", folder.File("out"), "--output", scores], cache));
        Assert.Equal($"scored 6 videos (4 frames at 3 fps, 16×16) on reward_VQ, reward_MQ, reward_TA, reward_Overall: {scores}", scored.StandardOutput.Trim());
        var rows = CsvRecords.Parse(File.ReadAllText(scores), scores);
        Assert.Equal(["path", "model", "prompt", "fps", "num_frames", "reward_VQ", "reward_MQ", "reward_TA", "reward_Overall"], rows[0].Fields);
        Assert.Equal(
            ["videos/example_1_A.mp4", "videos/example_1_B.mp4", "videos/example_2_A.mp4", "videos/example_2_B.mp4", "videos/example_3_A.mp4", "videos/example_3_B.mp4"],
            rows.Skip(1).Select(r => r.Fields[0]));
        Assert.Equal(("", "30.0", "152.0"), (rows[2].Fields[1], rows[2].Fields[3], rows[2].Fields[4])); // model, fps, num_frames of example_1_B
        Assert.StartsWith("The camera remains still, a girl", rows[2].Fields[2]);
        foreach (var row in rows.Skip(1))
        {
            var values = row.Fields.Skip(5).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal((values[0] + values[1] + values[2]) / 3, values[3], 5); // Overall: the mean of the three z-scores
        }

        // The run by its id in the registry (the first run of this cache), and the model file itself: the same scores.
        var byId = folder.File("by-id.csv");
        Succeeds(PipelineCli.Run(["score", Path.Combine(Example, "example.csv"), "--model", "1", "--stage", "vr", "--output", byId], cache));
        Assert.Equal(File.ReadAllText(scores), File.ReadAllText(byId));

        var bench = Succeeds(PipelineCli.Run(["reward-bench", "--pairs", Path.Combine(Example, "example.csv"), "--scores", scores, "--json"], cache));
        using var accuracy = JsonDocument.Parse(bench.StandardOutput);
        Assert.Equal(["VQ", "MQ", "TA"], accuracy.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var (dimension, column) in new[] { ("VQ", 5), ("MQ", 6), ("TA", 7) })
        {
            Assert.Equal(WithoutTies(dimension, column, rows), accuracy.RootElement.GetProperty(dimension).GetProperty("without_ties").GetDouble());
        }

        // A folder of videos: paths relative to it; without --prompt, TA is scored against an empty prompt, and says so.
        var folderScores = folder.File("folder.csv");
        var unprompted = Succeeds(PipelineCli.Run(["score", Path.Combine(Example, "videos"), "--model", model, "--output", folderScores], cache));
        Assert.Equal("warning PIPE4607: the videos are scored against an empty prompt, but TA reads it; give --prompt TEXT.", unprompted.StandardError.Trim());
        Assert.Equal("example_1_A.mp4", CsvRecords.Parse(File.ReadAllText(folderScores), folderScores)[1].Fields[0]);
        var prompted = Succeeds(PipelineCli.Run(["score", Path.Combine(Example, "videos"), "--model", model, "--output", folderScores, "--prompt", "a girl sits on a chair"], cache));
        Assert.Equal(string.Empty, prompted.StandardError);
        Assert.Equal(7, CsvRecords.Parse(File.ReadAllText(folderScores), folderScores).Count);
    }

    /// <summary>
    /// The accuracy without ties worked out here from the two files (§2.5: over pairs labelled A or B, the share whose
    /// margin score(A) − score(B) has the label's sign; a zero margin counts as wrong), independently of reward-bench.
    /// Paths are matched by dropping a leading "./", all the spellings example.csv uses.
    /// </summary>
    private static double WithoutTies(string dimension, int column, IReadOnlyList<CsvRecord> scores)
    {
        var byPath = scores.Skip(1).ToDictionary(r => r.Fields[0], r => double.Parse(r.Fields[column], CultureInfo.InvariantCulture));
        var pairs = CsvRecords.Parse(File.ReadAllText(Path.Combine(Example, "example.csv")), "example.csv");
        var header = pairs[0].Fields.ToList();
        int right = 0, decided = 0;
        foreach (var pair in pairs.Skip(1))
        {
            var label = pair.Fields[header.IndexOf(dimension)];
            if (label == "same")
            {
                continue;
            }

            var margin = byPath[pair.Fields[0].Replace("./", string.Empty, StringComparison.Ordinal)] - byPath[pair.Fields[1].Replace("./", string.Empty, StringComparison.Ordinal)];
            decided++;
            right += (label == "A" && margin > 0) || (label == "B" && margin < 0) ? 1 : 0;
        }

        return (double)right / decided;
    }

    private static ProcessRunner.Result Succeeds(ProcessRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds.PreferencePairs;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Data;

public class PreferencePairsStageTests
{
    private static RunContext Context(string folder, List<string> log)
    {
        var info = new ExperimentInfo("test", "0", string.Empty, "test", "test", 7, "cpu", Array.Empty<StageInfo>());
        return new RunContext(info, folder, folder, log.Add);
    }

    [Fact]
    public void World_pairs_become_a_split_artifact_with_label_statistics()
    {
        var world = new World(new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 32, EvalPrompts = 8 }, 7));
        var log = new List<string>();
        var options = KindDefaults.Of<PreferencePairsOptions>() with { Source = world.Pairs(400) };
        Assert.Equal([PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA], options.Dimensions);   // catalogue defaults
        Assert.Equal(TieHandling.Keep, options.Ties);
        Assert.Equal(0.9, options.Split.Train);

        var output = PreferencePairsStage.Run(Context(Path.GetTempPath(), log), "prefs", options);
        var pairs = Assert.IsType<PreferencePairs>(output.Artifact);
        Assert.Equal(400, pairs.All.Count);
        Assert.Equal(400, pairs.Train.Count + pairs.Eval.Count);
        Assert.Empty(pairs.Train.Pairs.Select(p => p.Prompt).Intersect(pairs.Eval.Pairs.Select(p => p.Prompt)));
        Assert.Equal(400, output.Metrics["pairs"]);
        var oracle = Assert.IsType<SortedDictionary<string, object?>>(output.Metrics["oracle_label_accuracy"]);
        Assert.Equal(["MQ", "TA", "VQ"], oracle.Keys);
        Assert.Contains(log, line => line.StartsWith("prefs: TA: tie rate", StringComparison.Ordinal));
        Assert.NotEmpty(pairs.Train.Winners().ToArray());

        // World pairs also carry the annotator's Overall label (for reward accuracy on Overall); winners and tie
        // dropping vote over VQ, MQ and TA only.
        Assert.Equal([PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA, PreferenceDimension.Overall], pairs.All.Dimensions);
        Assert.Equal([PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA], pairs.All.RatedDimensions);
        var voted = pairs.All.Pairs.Count(p => new[] { PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA }.Sum(d => (int)p.Labels[d]) != 0);
        Assert.Equal(voted, pairs.All.Winners().Count);

        // `train = prefs` (the catalogue types the stage like its splits) means every pair: a stage reading it once
        // crashed with "produced PreferencePairs, not PreferencePairSet".
        var context = Context(Path.GetTempPath(), log);
        context.Complete(output);
        PreferencePairSet whole = context.Input<PreferencePairs>("prefs");
        Assert.Same(pairs.All, whole);
        Assert.Same(pairs.Train, context.Input<PreferencePairs>("prefs").Train);
    }

    [Fact]
    public void A_pair_file_source_is_resolved_against_the_experiment_folder_and_errors_carry_the_stage()
    {
        using var folder = TestFiles.NewFolder();
        for (var i = 0; i < 2; i++)
        {
            TestFiles.WriteNpy(Path.Combine(folder, "v", $"{i}.npy"), HandMadeVideo.Disk(HandMadeVideo.Track((5, 5), (1, 0), frames: 6), HandMadeVideo.Red, size: 20));
        }

        File.WriteAllText(Path.Combine(folder, "pairs.csv"), "path_A,path_B,prompt,VQ,MQ,TA\nv/0.npy,v/1.npy,a,A,B,same\nv/1.npy,v/0.npy,b,same,same,same\n");
        var log = new List<string>();
        var options = KindDefaults.Of<PreferencePairsOptions>() with { Source = "pairs.csv", Ties = TieHandling.Drop, Frames = 4, Resolution = [8, 8] };
        options.Split.Train = 1;
        options.Split.Eval = 0;
        var output = PreferencePairsStage.Run(Context(folder, log), "prefs", options);
        var pairs = Assert.IsType<PreferencePairs>(output.Artifact);
        Assert.Equal(1, pairs.All.Count);
        Assert.Equal(1, output.Metrics["dropped_ties"]);
        Assert.Equal(new VideoShape(3, 4, 8, 8), pairs.Train.Pairs[0].VideoA.Load().Shape);

        File.WriteAllText(Path.Combine(folder, "bad.csv"), "path_A,path_B,prompt,VQ,MQ,TA\nv/0.npy,v/1.npy,a,A,B,maybe\n");
        var error = Assert.Throws<PipelineException>(() => PreferencePairsStage.Run(Context(folder, log), "prefs", KindDefaults.Of<PreferencePairsOptions>() with { Source = "bad.csv" }));
        Assert.Equal("prefs", error.Stage);
        Assert.Equal(DataDiagnosticCodes.UnknownLabel, error.Code);
        Assert.Contains("bad.csv:2:", error.Message);
    }
}

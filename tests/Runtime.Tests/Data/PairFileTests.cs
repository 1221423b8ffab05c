using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Data.Pairs;

namespace Pipeline.Runtime.Tests.Data;

public class PairFileTests
{
    private static readonly PreferenceDimension[] Three = [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA];
    private static readonly PreferenceDimension[] Four = [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA, PreferenceDimension.Overall];
    private static readonly VideoSampling Small = new(8, 16, 16, 2);

    [Fact]
    public void The_VideoAlign_example_loads_through_the_csv_loader()
    {
        var csv = Path.Combine(TestFiles.VideoAlignExample, "example.csv");
        Assert.True(File.Exists(csv), $"the fixture is missing at {csv}");
        var pairs = PreferencePairSet.Load(csv, Three, Small);

        Assert.Equal(12, pairs.Count);
        Assert.Equal(["fps_A", "num_frames_A", "fps_B", "num_frames_B"], pairs.ExtraColumns);
        var first = pairs.Pairs[0];
        Assert.StartsWith("The camera remains still, a girl with braided hair", first.Prompt);
        Assert.Equal([PreferenceLabel.B, PreferenceLabel.B, PreferenceLabel.A], Three.Select(d => first.Labels[d]));
        Assert.Equal([PreferenceLabel.Tie, PreferenceLabel.Tie, PreferenceLabel.A], Three.Select(d => pairs.Pairs[1].Labels[d]));
        Assert.Equal("126.0", first.Extras["num_frames_A"]);
        Assert.EndsWith("example.csv:2", first.Origin);
        Assert.Equal(Path.Combine(TestFiles.VideoAlignExample, "videos", "example_1_B.mp4"), ((StoredVideo)first.VideoB).Path);

        foreach (var pair in pairs.Pairs)
        {
            foreach (var video in new[] { pair.VideoA.Load(), pair.VideoB.Load() })
            {
                Assert.Equal(new VideoShape(3, 8, 16, 16), video.Shape);
                Assert.All(video.Data, v => Assert.InRange(v, 0f, 1f));
                var firstFrame = Enumerable.Range(0, 3).SelectMany(c => video.Plane(c, 0).ToArray()).ToArray();
                var lastFrame = Enumerable.Range(0, 3).SelectMany(c => video.Plane(c, 7).ToArray()).ToArray();
                var difference = firstFrame.Zip(lastFrame).Average(p => Math.Abs(p.First - p.Second));
                Assert.True(difference > 0.005, $"{pair.Origin}: first and last frames barely differ ({difference})");
            }
        }

        // The six clips are different videos.
        var distinct = pairs.Pairs.SelectMany(p => new[] { p.VideoA, p.VideoB }).Cast<StoredVideo>().DistinctBy(v => v.Path).ToArray();
        Assert.Equal(6, distinct.Length);
        Assert.Equal(6, distinct.Select(v => string.Join(",", v.Load().Data.Take(64))).Distinct().Count());
    }

    /// <summary>Writes a VideoGen-RewardBench-shaped CSV with 3 rows and its .npy videos; returns the CSV path.</summary>
    private static string WriteBench(string folder, string thirdTa = "same", string extraLine = "")
    {
        for (var i = 0; i < 6; i++)
        {
            var video = HandMadeVideo.Disk(HandMadeVideo.Track((4 + i % 3, 5), (0.5, 0.25), frames: 10), i % 2 == 0 ? HandMadeVideo.Red : HandMadeVideo.Green, size: 24);
            TestFiles.WriteNpy(Path.Combine(folder, "videos", $"v{i}.npy"), video);
        }

        var csv = Path.Combine(folder, "bench.csv");
        File.WriteAllText(csv,
            "path_A,path_B,A_model,B_model,prompt,fps_A,num_frames_A,fps_B,num_frames_B,VQ,MQ,TA,Overall\n" +
            "videos/v0.npy,./videos/v1.npy,kling1.5,minimax,\"Static camera, a metal ball rolls on a smooth tabletop.\",24.0,10,24.0,10,A,A,B,A\n" +
            "./videos/v2.npy,videos/v3.npy,gen3,luma,\"A cat, a dog and a \"\"robot\"\" dance\",30.0,10,30.0,10,B,same,A,B\n" +
            $"videos/v4.npy,videos/v5.npy,pika,svd,a plain prompt,8.0,10,8.0,10,same,B,{thirdTa},same\n" + extraLine);
        return csv;
    }

    [Fact]
    public void A_RewardBench_shaped_csv_with_three_rows_loads()
    {
        using var folder = TestFiles.NewFolder();
        var pairs = PreferencePairSet.Load(WriteBench(folder), Four, new VideoSampling(4, 8, 8, 2));
        Assert.Equal(3, pairs.Count);
        Assert.Equal(["A_model", "B_model", "fps_A", "num_frames_A", "fps_B", "num_frames_B"], pairs.ExtraColumns);
        Assert.Equal("Static camera, a metal ball rolls on a smooth tabletop.", pairs.Pairs[0].Prompt);
        Assert.Equal("A cat, a dog and a \"robot\" dance", pairs.Pairs[1].Prompt);
        Assert.Equal([PreferenceLabel.B, PreferenceLabel.Tie, PreferenceLabel.A, PreferenceLabel.B], Four.Select(d => pairs.Pairs[1].Labels[d]));
        Assert.Equal("minimax", pairs.Pairs[0].Extras["B_model"]);
        Assert.Equal(new VideoShape(3, 4, 8, 8), pairs.Pairs[2].VideoB.Load().Shape);
    }

    [Fact]
    public void A_bad_label_fails_with_file_and_line()
    {
        using var folder = TestFiles.NewFolder();
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(WriteBench(folder, thirdTa: "C"), Four, Small));
        Assert.Equal(DataDiagnosticCodes.UnknownLabel, error.Code);
        Assert.Contains("bench.csv:4:", error.Message);
        Assert.Contains("'C'", error.Message);
    }

    [Fact]
    public void Every_bad_row_is_reported_with_its_line()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WriteBench(folder, thirdTa: "C", extraLine: "videos/v0.npy,videos/v1.npy,a,b,unquoted, comma,1,1,1,1,A,A,A,A\nvideos/v0.npy,,a,b,p,1,1,1,1,A,A,A,A\n");
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(csv, Four, Small));
        Assert.Equal(DataDiagnosticCodes.UnknownLabel, error.Code);
        Assert.StartsWith($"3 rows of {csv} are bad: {csv}:4: column TA has the label 'C'", error.Message);
        Assert.Contains($"{csv}:5: the row has 14 fields but the header has 13", error.Message);
        Assert.Contains($"{csv}:6: column path_B is empty", error.Message);
    }

    [Fact]
    public void A_missing_video_fails_with_file_and_line()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WriteBench(folder, extraLine: "videos/v0.npy,videos/gone.npy,a,b,p,1,1,1,1,A,A,A,A\n");
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(csv, Four, Small));
        Assert.Equal(DataDiagnosticCodes.VideoFileMissing, error.Code);
        Assert.Contains("bench.csv:5:", error.Message);
        Assert.Contains("gone.npy", error.Message);
    }

    [Fact]
    public void A_row_with_too_many_fields_fails_with_file_and_line()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WriteBench(folder, extraLine: "videos/v0.npy,videos/v1.npy,a,b,unquoted, comma,1,1,1,1,A,A,A,A\n");
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(csv, Four, Small));
        Assert.Equal(DataDiagnosticCodes.MalformedRow, error.Code);
        Assert.Contains("bench.csv:5:", error.Message);
    }

    [Fact]
    public void A_missing_label_column_and_a_missing_file_are_errors()
    {
        using var folder = TestFiles.NewFolder();
        var csv = Path.Combine(folder, "two.csv");
        File.WriteAllText(csv, "path_A,path_B,prompt,VQ,MQ\nx,y,p,A,B\n");
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(csv, Three, Small));
        Assert.Equal(DataDiagnosticCodes.MissingColumn, error.Code);
        Assert.Contains("'TA'", error.Message);
        Assert.Equal(DataDiagnosticCodes.PairFileNotFound,
            Assert.Throws<PipelineException>(() => PreferencePairSet.Load(Path.Combine(folder, "nope.csv"), Three, Small)).Code);
    }

    [Fact]
    public void A_corrupt_video_fails_with_the_first_line_that_uses_it()
    {
        using var folder = TestFiles.NewFolder();
        var csv = WriteBench(folder);
        File.WriteAllText(Path.Combine(folder, "videos", "v3.npy"), "garbage");
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(csv, Four, Small));
        Assert.Equal(DataDiagnosticCodes.VideoDecodeFailed, error.Code);
        Assert.Contains("bench.csv:3:", error.Message);
    }

    [Fact]
    public void Jsonl_with_the_same_fields_loads_and_bad_json_names_the_line()
    {
        using var folder = TestFiles.NewFolder();
        WriteBench(folder);
        var jsonl = Path.Combine(folder, "pairs.jsonl");
        File.WriteAllText(jsonl,
            "{\"path_A\": \"videos/v0.npy\", \"path_B\": \"./videos/v1.npy\", \"prompt\": \"a, b\", \"VQ\": \"A\", \"MQ\": \"same\", \"TA\": \"B\", \"fps_A\": 24.0}\n" +
            "\n" +
            "{\"path_A\": \"videos/v2.npy\", \"path_B\": \"videos/v3.npy\", \"prompt\": \"c\", \"VQ\": \"B\", \"MQ\": \"A\", \"TA\": \"same\", \"fps_A\": 30}\n");
        var pairs = PreferencePairSet.Load(jsonl, Three, Small);
        Assert.Equal(2, pairs.Count);
        Assert.Equal("a, b", pairs.Pairs[0].Prompt);
        Assert.Equal("24.0", pairs.Pairs[0].Extras["fps_A"]);
        Assert.Equal(PreferenceLabel.Tie, pairs.Pairs[1].Labels[PreferenceDimension.TA]);
        Assert.EndsWith("pairs.jsonl:3", pairs.Pairs[1].Origin);

        File.AppendAllText(jsonl, "{\"path_A\": oops}\n");
        var error = Assert.Throws<PipelineException>(() => PreferencePairSet.Load(jsonl, Three, Small));
        Assert.Equal(DataDiagnosticCodes.MalformedRow, error.Code);
        Assert.Contains("pairs.jsonl:4:", error.Message);
    }

    [Fact]
    public void Mos_columns_become_targets()
    {
        using var folder = TestFiles.NewFolder();
        WriteBench(folder);
        var csv = Path.Combine(folder, "mos.csv");
        File.WriteAllText(csv, "path_A,path_B,prompt,TA,MOS_A_TA,MOS_B_TA\nvideos/v0.npy,videos/v1.npy,p,A,4.5,\n");
        var pairs = PreferencePairSet.Load(csv, [PreferenceDimension.TA], Small);
        Assert.True(pairs.HasTargets);
        Assert.Equal(4.5f, pairs.Pairs[0].TargetsA![PreferenceDimension.TA]);
        Assert.True(float.IsNaN(pairs.Pairs[0].TargetsB![PreferenceDimension.TA]));
        Assert.Empty(pairs.ExtraColumns);
    }
}

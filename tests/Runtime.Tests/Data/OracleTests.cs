using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Data;

public class OracleTests
{
    private static readonly SyntheticPrompt RedDiskRight =
        new(0, SyntheticShape.Disk, SyntheticDirection.Right, SyntheticSize.Large, SyntheticSpeed.Quickly);

    // Quickly = 0.4 of 16 px over 7 frame steps.
    private static readonly (double X, double Y)[] RightTrack = HandMadeVideo.Track((4.8, 7.5), (6.4 / 7, 0));

    [Fact]
    public void Noise_lowers_VQ()
    {
        var clean = HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red);
        var noisy = HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red, noiseSd: 0.06);
        var cleanFeatures = Oracle.Features(clean, RedDiskRight);
        var noisyFeatures = Oracle.Features(noisy, RedDiskRight);
        Assert.True(cleanFeatures.NoiseLevel < 0.01, $"clean noise estimate {cleanFeatures.NoiseLevel}");
        // The estimate should be near the true noise sd (clamping at 0 makes it a little lower).
        Assert.InRange(noisyFeatures.NoiseLevel, 0.035, 0.08);
        Assert.True(Oracle.ScoreRaw(clean, RedDiskRight).VQ > Oracle.ScoreRaw(noisy, RedDiskRight).VQ);
    }

    [Fact]
    public void Blur_lowers_VQ_through_sharpness()
    {
        var sharp = HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red);
        var blurred = HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red, blur: true);
        var sharpFeatures = Oracle.Features(sharp, RedDiskRight);
        var blurredFeatures = Oracle.Features(blurred, RedDiskRight);
        Assert.True(sharpFeatures.Sharpness > blurredFeatures.Sharpness + 0.2,
            $"sharp {sharpFeatures.Sharpness}, blurred {blurredFeatures.Sharpness}");
        Assert.True(Oracle.ScoreRaw(sharp, RedDiskRight).VQ > Oracle.ScoreRaw(blurred, RedDiskRight).VQ);
    }

    [Fact]
    public void Jitter_lowers_MQ()
    {
        var jittered = RightTrack.Select((p, t) => (p.X, p.Y + (t % 2 == 0 ? 1.0 : -1.0))).ToArray();
        var smooth = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red), RedDiskRight);
        var shaky = Oracle.Features(HandMadeVideo.Disk(jittered, HandMadeVideo.Red), RedDiskRight);
        // An alternating ±1 px offset has a second difference of 4 px per inner frame; a straight track has none.
        Assert.InRange(smooth.Jerk, 0, 0.3);
        Assert.InRange(shaky.Jerk, 3.0, 4.5);
        Assert.True(Oracle.Combine(smooth).MQ > Oracle.Combine(shaky).MQ);
    }

    [Fact]
    public void Flicker_lowers_MQ()
    {
        var steady = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red), RedDiskRight);
        var gains = Enumerable.Range(0, 8).Select(t => t % 2 == 0 ? 1.0 : 0.8).ToArray();
        var flickering = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red, gains: gains), RedDiskRight);
        Assert.InRange(steady.Flicker, 0, 1e-6);
        // Every step changes the log gain by |ln 0.8|; the feature divides the RMS change by √2.
        Assert.Equal(Math.Abs(Math.Log(0.8)) / Math.Sqrt(2), flickering.Flicker, 2);
        Assert.True(Oracle.Combine(steady).MQ > Oracle.Combine(flickering).MQ);
    }

    [Fact]
    public void A_still_object_is_penalised_in_MQ()
    {
        var still = Enumerable.Repeat((8.0, 8.0), 8).ToArray();
        var features = Oracle.Features(HandMadeVideo.Disk(still, HandMadeVideo.Red), RedDiskRight);
        Assert.Equal(1.0, features.Stillness, 6);
        Assert.Equal(0.0, features.DirectionAgreement, 6);
    }

    [Fact]
    public void Right_colour_scores_higher_TA()
    {
        var right = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red), RedDiskRight);
        var wrong = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Green), RedDiskRight);
        Assert.Equal(1.0, right.ColourAgreement, 3);
        // Green's offset from the background against red's: an independent cosine.
        double[] red = [0.80, 0.05, 0.03], green = [0.05, 0.75, 0.08];
        var expected = (red[0] * green[0] + red[1] * green[1] + red[2] * green[2])
            / Math.Sqrt((red[0] * red[0] + red[1] * red[1] + red[2] * red[2]) * (green[0] * green[0] + green[1] * green[1] + green[2] * green[2]));
        Assert.Equal(expected, wrong.ColourAgreement, 2);
        Assert.True(Oracle.Combine(right).TA > Oracle.Combine(wrong).TA + 1);
    }

    [Fact]
    public void Right_direction_scores_higher_TA()
    {
        var leftTrack = RightTrack.Reverse().ToArray();
        var downTrack = HandMadeVideo.Track((7.5, 4.8), (0, 6.4 / 7));
        var right = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red), RedDiskRight);
        var left = Oracle.Features(HandMadeVideo.Disk(leftTrack, HandMadeVideo.Red), RedDiskRight);
        var down = Oracle.Features(HandMadeVideo.Disk(downTrack, HandMadeVideo.Red), RedDiskRight);
        Assert.Equal(1.0, right.DirectionAgreement, 2);
        Assert.Equal(-1.0, left.DirectionAgreement, 2);
        Assert.Equal(0.0, down.DirectionAgreement, 2);
        var (taRight, taDown, taLeft) = (Oracle.Combine(right).TA, Oracle.Combine(down).TA, Oracle.Combine(left).TA);
        Assert.True(taRight > taDown && taDown > taLeft, $"right {taRight}, down {taDown}, left {taLeft}");
    }

    [Fact]
    public void Angle_error_is_the_square_root_of_tenths_of_degrees()
    {
        Assert.Equal(0.0, Oracle.AngleError(1.0), 9);
        Assert.Equal(Math.Sqrt(18.0), Oracle.AngleError(-1.0), 9); // √(180 / 10)
        Assert.Equal(Math.Sqrt(6.0), Oracle.AngleError(0.5), 9);   // 60°
    }

    [Fact]
    public void An_empty_video_finds_no_object_and_scores_worst_TA()
    {
        var shape = new VideoShape(3, 8, 16, 16);
        var data = new float[shape.Length];
        for (var c = 0; c < 3; c++)
        {
            Array.Fill(data, SyntheticVocabulary.Background[c], c * 8 * 256, 8 * 256);
        }

        var empty = Oracle.Features(new Video(shape, data), RedDiskRight);
        var drawn = Oracle.Features(HandMadeVideo.Disk(RightTrack, HandMadeVideo.Red), RedDiskRight);
        Assert.False(empty.ObjectFound);
        Assert.True(drawn.ObjectFound);
        Assert.True(Oracle.Combine(drawn).TA > Oracle.Combine(empty).TA + 3);
    }

    [Fact]
    public void Normalization_matches_hand_computed_mean_and_population_sd()
    {
        var stats = OracleNormalization.Fit([new OracleScores(1, 2, 3), new OracleScores(3, 2, 5), new OracleScores(5, 8, 7)]);
        Assert.Equal(3, stats.Mean.VQ, 12);
        Assert.Equal(4, stats.Mean.MQ, 12);
        Assert.Equal(Math.Sqrt(8.0 / 3), stats.StandardDeviation.VQ, 12);
        Assert.Equal(Math.Sqrt(8.0), stats.StandardDeviation.MQ, 12);
        var z = stats.Normalize(new OracleScores(5, 8, 7));
        Assert.Equal(2 / Math.Sqrt(8.0 / 3), z.VQ, 12);
        Assert.Equal(4 / Math.Sqrt(8.0), z.MQ, 12);
        Assert.Equal((z.VQ + z.MQ + z.TA) / 3, z.Overall, 12);
    }

    [Fact]
    public void Scores_depend_only_on_pixels_and_prompt()
    {
        var world = new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 16, EvalPrompts = 4 }, seed: 3);
        var video = world.Render(world.Prompts[0], 2, 5);
        var copy = new Video(video.Shape, (float[])video.Data.Clone());
        Assert.Equal(world.Oracle.Score(video, world.Prompts[0]), world.Oracle.Score(copy.Data, copy.Shape, world.Prompts[0]));
        Assert.Equal(world.Oracle.Score(video, world.Prompts[0]), world.Oracle.Score(video, world.Prompts[0].Text));
        Assert.Throws<ArgumentException>(() => world.Oracle.Score(video, "a cat playing the piano"));
    }
}

public class MedianNetworkTests
{
    [Fact]
    public void The_median_network_agrees_with_sorting_on_random_and_tied_windows()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 20000; trial++)
        {
            var values = Enumerable.Range(0, 9).Select(_ => trial % 2 == 0 ? rng.NextDouble() : rng.Next(3)).ToArray();
            var sorted = values.Order().ToArray();
            Assert.Equal(sorted[4], Oracle.MedianOf9(values.ToArray()));
        }
    }
}

public class QuickselectMedianTests
{
    [Fact]
    public void Quickselect_median_agrees_with_sorting_for_odd_even_and_tied_inputs()
    {
        var rng = new Random(4);
        for (var trial = 0; trial < 3000; trial++)
        {
            var n = 1 + rng.Next(300);
            var values = Enumerable.Range(0, n).Select(_ => trial % 3 == 0 ? rng.Next(4) : rng.NextDouble()).ToArray();
            var sorted = values.Order().ToArray();
            var expected = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
            Assert.Equal(expected, Oracle.MedianInPlace(values));
        }
    }
}

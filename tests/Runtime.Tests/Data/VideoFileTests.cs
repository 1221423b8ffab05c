using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Tests.Data;

public class VideoFileTests
{
    [Fact]
    public void A_long_clip_is_sampled_at_the_configured_fps_in_a_centred_window()
    {
        // 126 frames at 24 fps span 125/24 s; 8 frames at 2 fps span 3.5 s, starting at (125/24 − 3.5)/2 s = frame 20.5 → 21,
        // then every 12 frames.
        var indices = new VideoSampling(8, 16, 16, 2).FrameIndices(126, 24);
        Assert.Equal([21, 33, 45, 57, 69, 81, 93, 105], indices);
    }

    [Fact]
    public void A_short_clip_spreads_the_frames_from_first_to_last()
    {
        // 10 frames span 9/24 s < 3.5 s: times k·9/7 frames → 0, 1.29, 2.57, 3.86, 5.14, 6.43, 7.71, 9.
        Assert.Equal([0, 1, 3, 4, 5, 6, 8, 9], new VideoSampling(8, 16, 16, 2).FrameIndices(10, 24));
        // A clip of 3 frames for 6 samples: times k·2/5 frames → 0, 0.4, 0.8, 1.2, 1.6, 2; frames repeat.
        Assert.Equal([0, 0, 1, 1, 2, 2], new VideoSampling(6, 4, 4, 2).FrameIndices(3, 24));
    }

    [Fact]
    public void Area_resize_averages_the_covered_source_pixels()
    {
        double[] source =
        [
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12,
            13, 14, 15, 16,
        ];
        Assert.Equal([3.5, 5.5, 11.5, 13.5], VideoFileReader.AreaResize(source, 4, 4, 2, 2));
        // 4 → 3 columns: each output covers 4/3 source pixels, e.g. the first is (1·1 + 2·1/3) / (4/3).
        var row = VideoFileReader.AreaResize([1, 2, 3, 4], 1, 4, 1, 3);
        Assert.Equal((1 + 2 / 3.0) * 0.75, row[0], 12);
        Assert.Equal((2 / 3.0 * 2 + 2 / 3.0 * 3) * 0.75, row[1], 12);
        Assert.Equal((3 / 3.0 + 4) * 0.75, row[2], 12);
    }

    [Fact]
    public void Npy_videos_round_trip_in_both_layouts()
    {
        using var folder = TestFiles.NewFolder();
        var video = HandMadeVideo.Disk(HandMadeVideo.Track((3, 4), (1, 0.5), frames: 6), HandMadeVideo.Red, size: 12);
        TestFiles.WriteNpy(Path.Combine(folder, "thwc.npy"), video);
        NpyFile.WriteFloat32(Path.Combine(folder, "cthw.npy"), video.Data, video.Shape.ToArray());
        var sampling = new VideoSampling(6, 12, 12, 8);
        Assert.Equal(video.Data, VideoFileReader.Read(Path.Combine(folder, "thwc.npy"), sampling).Data);
        Assert.Equal(video.Data, VideoFileReader.Read(Path.Combine(folder, "cthw.npy"), sampling).Data);
    }

    [Fact]
    public void Uint8_npy_is_scaled_to_unit_range()
    {
        using var folder = TestFiles.NewFolder();
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 2, 3), }";
        header = header.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[] { 255, 0, 51, 0, 255, 102 });
        var path = Path.Combine(folder, "u8.npy");
        File.WriteAllBytes(path, bytes.ToArray());
        var video = VideoFileReader.Read(path, new VideoSampling(1, 1, 2, 2));
        // C, T, H, W: red (1, 0), green (0, 1), blue (0.2, 0.4).
        Assert.Equal([1f, 0f, 0f, 1f, 0.2f, 0.4f], video.Data);
    }

    [Fact]
    public void A_bad_npy_is_a_decode_error()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "bad.npy");
        File.WriteAllText(path, "not numpy");
        var error = Assert.Throws<PipelineException>(() => VideoFileReader.Read(path, new VideoSampling(2, 4, 4, 2)));
        Assert.Equal(DataDiagnosticCodes.VideoDecodeFailed, error.Code);
        Assert.Contains("bad.npy", error.Message);
    }

    [Fact]
    public void Unknown_extensions_and_missing_files_have_their_own_codes()
    {
        using var folder = TestFiles.NewFolder();
        File.WriteAllText(Path.Combine(folder, "x.txt"), "");
        Assert.Equal(DataDiagnosticCodes.UnsupportedVideoFormat,
            Assert.Throws<PipelineException>(() => VideoFileReader.Read(Path.Combine(folder, "x.txt"), new VideoSampling(2, 4, 4, 2))).Code);
        Assert.Equal(DataDiagnosticCodes.VideoFileMissing,
            Assert.Throws<PipelineException>(() => VideoFileReader.Read(Path.Combine(folder, "none.mp4"), new VideoSampling(2, 4, 4, 2))).Code);
    }

    /// <summary>Frames the test draws: flat colour quadrants that move one pixel per frame, so chroma subsampling matters only at edges.</summary>
    private static byte[] DrawFrames(int frames, int width, int height)
    {
        var rgb = new byte[frames * width * height * 3];
        for (var t = 0; t < frames; t++)
        {
            for (var h = 0; h < height; h++)
            {
                for (var w = 0; w < width; w++)
                {
                    var right = (w + t) % width >= width / 2;
                    var bottom = h >= height / 2;
                    byte[] colour = (right, bottom) switch
                    {
                        (false, false) => [200, 40, 40],
                        (true, false) => [40, 180, 60],
                        (false, true) => [50, 60, 200],
                        _ => [220, 220, 80],
                    };
                    var i = ((t * height + h) * width + w) * 3;
                    colour.CopyTo(rgb, i);
                }
            }
        }

        return rgb;
    }

    [Fact]
    public void Mp4_round_trip_through_ffmpeg_is_within_codec_tolerance()
    {
        const int frames = 12, width = 32, height = 32, fps = 8;
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "clip.mp4");
        var rgb = DrawFrames(frames, width, height);
        TestFiles.EncodeMp4(path, rgb, width, height, fps);

        // Same size, every frame (12 frames at the native 8 fps): the loader must return what the test drew.
        var video = VideoFileReader.Read(path, new VideoSampling(frames, height, width, fps));
        Assert.Equal(new VideoShape(3, frames, height, width), video.Shape);
        double totalError = 0;
        for (var t = 0; t < frames; t++)
        {
            for (var h = 0; h < height; h++)
            {
                for (var w = 0; w < width; w++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        totalError += Math.Abs(video[c, t, h, w] - rgb[((t * height + h) * width + w) * 3 + c] / 255.0);
                    }
                }
            }
        }

        var meanError = totalError / video.Data.Length;
        Assert.True(meanError < 0.03, $"mean absolute error {meanError}");
    }

    [Fact]
    public void Mp4_is_resampled_in_time_and_space()
    {
        const int frames = 24, width = 32, height = 32, fps = 24;
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "clip.mp4");
        var rgb = DrawFrames(frames, width, height);
        TestFiles.EncodeMp4(path, rgb, width, height, fps);

        // 4 frames at 8 fps from 24 frames at 24 fps: span 23/24 s, window 3/8 s, start (23/24 − 3/8)/2 s → frames 7, 10, 13, 16.
        var sampling = new VideoSampling(4, 8, 8, 8);
        Assert.Equal([7, 10, 13, 16], sampling.FrameIndices(frames, fps));
        var video = VideoFileReader.Read(path, sampling);
        Assert.Equal(new VideoShape(3, 4, 8, 8), video.Shape);
        double totalError = 0;
        var indices = sampling.FrameIndices(frames, fps);
        for (var k = 0; k < 4; k++)
        {
            for (var c = 0; c < 3; c++)
            {
                var plane = new double[width * height];
                for (var i = 0; i < plane.Length; i++)
                {
                    plane[i] = rgb[(indices[k] * width * height + i) * 3 + c] / 255.0;
                }

                var expected = VideoFileReader.AreaResize(plane, height, width, 8, 8);
                var actual = video.Plane(c, k);
                for (var i = 0; i < expected.Length; i++)
                {
                    totalError += Math.Abs(actual[i] - expected[i]);
                }
            }
        }

        var meanError = totalError / video.Data.Length;
        Assert.True(meanError < 0.03, $"mean absolute error {meanError}");
        // The frames differ because the pattern moves.
        Assert.NotEqual(video.Plane(0, 0).ToArray(), video.Plane(0, 3).ToArray());
    }
}

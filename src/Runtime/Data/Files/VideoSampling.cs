using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Files;

/// <summary>
/// How a video file is resampled to the experiment's tensor shape: <paramref name="Frames"/> frames taken at
/// <paramref name="Fps"/> frames per second, each area-resized to <paramref name="Height"/> × <paramref name="Width"/>.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> Frames are taken 1/fps seconds apart in a window centred in the clip (the middle of the action is
/// kept; the paper samples at 2 fps). When the clip is shorter than the window, the T frames are instead spread
/// uniformly from the first frame to the last; a frame repeats only when the clip has fewer than T frames. Each sample
/// time takes the nearest decoded frame. A <c>.npy</c> file carries no frame rate: its frames are taken to be at
/// <paramref name="Fps"/> already.</para>
/// <para><b>Space.</b> An area resize (each output pixel is the mean of the source area it covers; ffmpeg's
/// <c>scale=flags=area</c> for .mp4, the same averaging in C# for .npy) straight to H × W: the aspect ratio is not kept
/// and nothing is cropped, so the whole frame is always seen.</para>
/// </remarks>
/// <param name="Frames">Frames T of the result.</param>
/// <param name="Height">Height H of the result.</param>
/// <param name="Width">Width W of the result.</param>
/// <param name="Fps">Temporal sampling rate in frames per second.</param>
public sealed record VideoSampling(int Frames, int Height, int Width, double Fps)
{
    /// <summary>The shape of the resampled video, 3 × T × H × W.</summary>
    public VideoShape Shape => new(3, Frames, Height, Width);

    /// <summary>
    /// Which source frames to take, for a clip of <paramref name="frameCount"/> frames at <paramref name="nativeFps"/>
    /// (see the remarks of <see cref="VideoSampling"/>).
    /// </summary>
    public int[] FrameIndices(int frameCount, double nativeFps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        if (!(nativeFps > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(nativeFps), "The native frame rate must be positive.");
        }

        var indices = new int[Frames];
        var span = (frameCount - 1) / nativeFps;   // seconds from the first frame to the last
        var window = (Frames - 1) / Fps;
        for (var k = 0; k < Frames; k++)
        {
            var time = span >= window
                ? (span - window) / 2 + k / Fps
                : Frames == 1 ? span / 2 : k * span / (Frames - 1);
            // The small bias makes exact halves round up despite floating-point error (20.4999… → 21).
            indices[k] = Math.Clamp((int)Math.Round(time * nativeFps + 1e-9, MidpointRounding.AwayFromZero), 0, frameCount - 1);
        }

        return indices;
    }
}

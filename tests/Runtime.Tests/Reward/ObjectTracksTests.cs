using Pipeline.Runtime.Torch.Models.Reward;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>
/// The object tracks against hand-computed values: one bright pixel on a dark frame, moving one column per frame, with
/// every region's attention fixed on the red channel so that it picks out that pixel.
/// </summary>
public sealed class ObjectTracksTests
{
    private const int Frames = 4, Size = 8;

    [Fact]
    public void A_single_moving_pixel_gives_its_colour_offset_and_its_velocity()
    {
        using var tracks = new ObjectTracks(regions: 2);
        using (no_grad())
        {
            var parameters = tracks.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            parameters["attention.weight"].zero_();
            parameters["attention.bias"].zero_();
            parameters["attention.weight"][TensorIndex.Colon, 0, 0, 1, 1] = tensor(50f); // centre tap, red channel
        }

        // Pixels in [0, 1]: background black, the object (1, 0.5, 0) at row 3, column 2 + t.
        var video = zeros(new long[] { 1, 3, Frames, Size, Size });
        for (var t = 0; t < Frames; t++)
        {
            video[0, 0, t, 3, 2 + t] = tensor(1f);
            video[0, 1, t, 3, 2 + t] = tensor(0.5f);
        }

        using var noGrad = no_grad();
        var (centred, difference) = RewardVideoEncoder.Prepare(video);
        var features = tracks.forward(centred, difference).data<float>().ToArray();

        Assert.Equal(2 * ObjectTracks.FeaturesPerRegion, features.Length);
        // Centred: object (1, 0, −1), background (−1, −1, −1); frame mean = background + (object − background)/64.
        const double pixels = Size * Size;
        double[] offset = { 2 - (2 / pixels), 1 - (1 / pixels), 0 };
        var norm = Math.Sqrt((offset[0] * offset[0]) + (offset[1] * offset[1]) + 1e-4);
        var velocity = 2.0 / (Size - 1) * 10; // one column per frame, columns at linspace(−1, 1, 8), scaled by 10
        var speed = Math.Sqrt((velocity * velocity) + 1e-4);
        double[] expected = { offset[0], offset[1], 0, offset[0] / norm, offset[1] / norm, 0, velocity, 0, velocity / speed, 0, speed };
        for (var region = 0; region < 2; region++)
        {
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], features[(region * ObjectTracks.FeaturesPerRegion) + i], 3);
            }
        }
    }
}

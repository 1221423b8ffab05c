using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models;

namespace Pipeline.Bench.Training;

/// <summary>
/// The sizes of one benchmark configuration. <c>mini</c> is examples/videoalign-mini.pipe's (16×16 videos of 8 frames,
/// latents 4×8×4×4, generator width 64, reward width 32, latent reward width 32, batch 32, 16 sampling steps with CFG 3);
/// <c>toy</c> is for the test that keeps bench/gpu working; <c>large</c> gives a GPU real work per kernel. The PyTorch
/// reference reads these numbers from this app's JSON output, so both sides always run the same sizes.
/// </summary>
public sealed record BenchSize(
    string Name,
    VideoShape Video,
    LatentShape Latent,
    int AutoencoderWidth,
    int GeneratorWidth,
    int RewardWidth,
    int LatentRewardWidth,
    int Batch,
    int SamplingSteps,
    double CfgScale)
{
    public static BenchSize Parse(string name) => name switch
    {
        "toy" => new(name, new VideoShape(3, 4, 8, 8), new LatentShape(4, 4, 2, 2), 8, 8, 8, 8, 4, 3, 3.0),
        "mini" => new(name, new VideoShape(3, 8, 16, 16), new LatentShape(4, 8, 4, 4), 64, 64, 32, 32, 32, 16, 3.0),
        "large" => new(name, new VideoShape(3, 16, 32, 32), new LatentShape(8, 16, 8, 8), 128, 128, 64, 64, 64, 16, 3.0),
        _ => throw new ArgumentException($"unknown size '{name}'; use toy, mini or large"),
    };

    /// <summary>Pairs (and videos) held as training data: four minibatches, so the index_select of a step is real work.</summary>
    public int Pairs => 4 * Batch;
}

using Pipeline.Runtime.Artifacts;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Evaluation;
using Pipeline.Runtime.Models;
using Pipeline.Runtime.Stages;
using Pipeline.Runtime.Training;

namespace Pipeline.Runtime.Tests.Generation;

/// <summary>
/// The autoencoder must keep what the oracle judges: per dimension, the rank correlation between the oracle's scores
/// of the world's videos and of their reconstructions (decoded as generators decode, with the predicted pixel noise)
/// is at least 0.9. Slow: it trains the autoencoder of examples/generator.pipe.
/// </summary>
public sealed class AutoencoderFidelityTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Reconstructions_keep_the_oracle_ranking_on_every_dimension()
    {
        var world = new SyntheticWorld(new SyntheticVideosOptions { Prompts = 128, EvalPrompts = 32, Samples = 1 }, 7);
        var videos = new World(world).Videos;
        var context = GenerationFixtures.Context();
        var output = AutoencoderStage.Run(context, "ae", new AutoencoderOptions { Data = videos, Latent = new[] { 4, 8, 4, 4 }, Width = 64, Steps = 1000, Lr = 2e-3, Batch = 32 });
        var model = (VideoAutoencoder)output.Artifact;

        var reconstructions = AutoencoderTrainer.Reconstruct(model, videos, context.Device.Resolve(), noiseSeed: 1);
        var oracle = new OracleJudge(world.Oracle);
        var prompts = videos.Select(v => v.Prompt).ToArray();
        var original = oracle.Score(videos.Select(v => v.Video).ToArray(), prompts);
        var rebuilt = oracle.Score(reconstructions.Select(r => new Video(videos.Shape, r)).ToArray(), prompts);

        for (var d = 0; d < oracle.Dimensions.Count; d++)
        {
            var rho = RankCorrelation.Spearman(original[d], rebuilt[d]);
            Assert.True(rho >= 0.9, $"{oracle.Dimensions[d]}: Spearman {rho:0.000} between the oracle's scores of videos and reconstructions (MSE {output.Metrics["reconstruction_mse"]})");
        }
    }
}

using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>Settings of <c>latent_reward</c> training.</summary>
/// <param name="Noisy">Train on noisy latents x_t at t ~ U(0, 1) (the paper), or on clean latents (t = 0).</param>
/// <param name="Width">Hidden width of the <see cref="LatentRewardNetwork"/>.</param>
/// <param name="Epochs">Passes over the training pairs.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Batch">Pairs per step.</param>
/// <param name="Seed">Seed of the weights, minibatch order, noise and times.</param>
/// <param name="Centring">Weight γ of the score penalty γ·mean(r²) (<see cref="RewardLosses.Centring"/>); 0 is plain BT.</param>
public sealed record LatentRewardSettings(bool Noisy, int Width, int Epochs, double LearningRate, int Batch, long Seed, double Centring = 0);

/// <summary>
/// Trains a <see cref="LatentRewardModel"/> on preference pairs (the paper's §3.5 / App. B.2): both videos of a pair
/// are encoded by the autoencoder (decoder-free: the encoder's latents), normalised per channel, and noised with the
/// same ε and the same t, x_t = (1 − t)·x0 + t·ε; the loss is Bradley-Terry with ties masked
/// (<see cref="RewardLosses.BradleyTerry"/>) over the rated dimensions, plus the centring penalty
/// (<see cref="RewardLosses.Centring"/>). With <c>Noisy = false</c>, t = 0 throughout. After training, every output
/// is divided by its standard deviation on the training latents (<see cref="LatentRewardNetwork.StandardiseScores"/>),
/// so that guidance weights λ count standard deviations of each dimension.
/// </summary>
public static class LatentRewardTrainer
{
    /// <summary>
    /// Trains from the seeded random initialisation, or from <c>given</c> weights (<c>init</c>: the file's
    /// <c>reward.*</c> tensors). With zero epochs they are used as given, their prompt centre and score scales too;
    /// otherwise training continues from them and both are measured again afterwards, as for a fresh network.
    /// </summary>
    public static (LatentRewardModel Model, Trainer Trainer) Fit(RewardPairData pairs, VideoAutoencoder autoencoder, LatentRewardSettings settings, Device device, string stage, Action<int, float>? progress = null, StageMetricsLog? log = null, GivenWeights? given = null)
    {
        if (pairs.Count == 0)
        {
            throw new ArgumentException("the latent reward needs at least one training pair");
        }

        RandomStream.SeedInitialisation(settings.Seed);
        var dimensions = pairs.Dimensions.Where(d => d != DimensionNames.Overall).ToArray();
        using var rawA = EncodeAll(autoencoder, pairs.VideosA, device);
        using var rawB = EncodeAll(autoencoder, pairs.VideosB, device);
        var (mean, deviation) = ChannelStatistics(cat(new[] { rawA, rawB }, 0));
        var network = new LatentRewardNetwork(autoencoder.LatentShape, settings.Width, dimensions);
        given?.LoadInto(network, LatentRewardFile.Prefix, AutoencoderFile.Prefix);
        var asGiven = given is not null && settings.Epochs == 0;
        if (given is not null && !asGiven)
        {
            // The scale is 1 while training (the scores the loss sees); it is measured again afterwards.
            network.StandardiseScores(Enumerable.Repeat(1f, dimensions.Length).ToArray());
        }

        network.to(device);
        var model = new LatentRewardModel(network, autoencoder, dimensions, settings.Noisy, mean, deviation);
        using var latentsA = model.Normalize(rawA);
        using var latentsB = model.Normalize(rawB);
        using var tokens = PromptTokens.Encode(pairs.Prompts, device);
        using var labels = LabelTensor(pairs, dimensions, device);
        if (!asGiven)
        {
            network.UseTrainingPrompts(tokens);
        }

        var perEpoch = (pairs.Count + settings.Batch - 1) / settings.Batch;
        var trainer = new Trainer(network, settings.LearningRate, stage, log);
        using var random = trainer.Track(RandomStream.Create(settings.Seed, device));
        Tensor? order = null;
        var orderEpoch = -1;
        trainer.Run(settings.Epochs * perEpoch, step =>
        {
            // Each epoch's order comes from its own seed, not from the tracked stream, so a run resumed mid-epoch
            // (see Trainer) draws the same minibatches as an uninterrupted one.
            if (step / perEpoch != orderEpoch)
            {
                orderEpoch = step / perEpoch;
                order?.Dispose();
                using var shuffle = RandomStream.Create(unchecked((long)((ulong)settings.Seed * 7919UL + (ulong)orderEpoch)), device);
                order = shuffle.Randperm(pairs.Count).MoveToOuterDisposeScope();
            }

            var start = (step % perEpoch) * settings.Batch;
            var index = order!.narrow(0, start, Math.Min(settings.Batch, pairs.Count - start));
            var count = index.shape[0];
            var a = latentsA.index_select(0, index);
            var b = latentsB.index_select(0, index);
            var t = settings.Noisy ? random.Rand(count) : zeros(count, device: device);
            var noise = random.Randn(a.shape);
            var prompt = tokens.index_select(0, index);
            var scoresA = model.Score(FlowMatching.Interpolate(a, noise, t), t, prompt);
            var scoresB = model.Score(FlowMatching.Interpolate(b, noise, t), t, prompt);
            return RewardLosses.BradleyTerry(scoresA - scoresB, labels.index_select(0, index))
                + RewardLosses.Centring(scoresA, scoresB, settings.Centring);
        }, progress);
        order?.Dispose();
        if (asGiven)
        {
            return (model, trainer);
        }

        network.FreezePromptCentre();
        network.StandardiseScores(ScoreDeviations(model, latentsA, latentsB, tokens, settings, device));
        return (model, trainer);
    }

    /// <summary>
    /// The standard deviation of each output over the training videos (both of every pair), each noised once at a
    /// random t (t = 0 for a clean model), from a generator of its own so that the training draws stay as they were.
    /// </summary>
    private static float[] ScoreDeviations(LatentRewardModel model, Tensor latentsA, Tensor latentsB, Tensor tokens, LatentRewardSettings settings, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var random = RandomStream.Create(settings.Seed + 1, device);
        var all = cat(new[] { latentsA, latentsB }, 0);
        var prompts = cat(new[] { tokens, tokens }, 0);
        var parts = new List<Tensor>();
        for (long start = 0; start < all.shape[0]; start += 256)
        {
            var count = Math.Min(256, all.shape[0] - start);
            var x = all.narrow(0, start, count);
            var t = settings.Noisy ? random.Rand(count) : zeros(count, device: device);
            var noise = random.Randn(x.shape);
            parts.Add(model.Score(FlowMatching.Interpolate(x, noise, t), t, prompts.narrow(0, start, count)));
        }

        return cat(parts, 0).std(0).clamp_min(1e-6).cpu().data<float>().ToArray();
    }

    /// <summary>
    /// Pairwise accuracy without ties per dimension of the model on pairs whose latents are noised to flow time
    /// <paramref name="t"/> (the same ε for both videos, from <paramref name="seed"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, double> AccuracyAt(LatentRewardModel model, RewardPairData pairs, double t, long seed, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = model.Normalize(EncodeAll(model.Autoencoder, pairs.VideosA, device));
        var b = model.Normalize(EncodeAll(model.Autoencoder, pairs.VideosB, device));
        using var random = RandomStream.Create(seed, device);
        var noise = random.Randn(a.shape);
        var times = full(new long[] { pairs.Count }, (float)t, device: device);
        var tokens = PromptTokens.Encode(pairs.Prompts, device);
        var margins = (model.Score(FlowMatching.Interpolate(a, noise, times), times, tokens) - model.Score(FlowMatching.Interpolate(b, noise, times), times, tokens))
            .cpu().data<float>().ToArray();
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var d = 0; d < model.Dimensions.Count; d++)
        {
            var (labels, rows) = pairs.LabelsOf(model.Dimensions[d]);
            var m = rows.Select(i => (double)margins[(i * model.Dimensions.Count) + d]).ToArray();
            result[model.Dimensions[d]] = PairwiseAccuracy.WithoutTies(labels, m);
        }

        return result;
    }

    /// <summary>Videos in [0, 1] → raw autoencoder latents [N, c, T, h, w], read and encoded in chunks.</summary>
    internal static Tensor EncodeAll(VideoAutoencoder autoencoder, VideoRows videos, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        autoencoder.eval();
        var count = videos.Count;
        var parts = new List<Tensor>();
        for (var start = 0; start < count; start += 256)
        {
            var n = Math.Min(256, count - start);
            var pixels = VideoBatch.Range(videos, start, n, device);
            parts.Add(autoencoder.Encode((pixels * 2) - 1));
        }

        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    private static (float[] Mean, float[] Deviation) ChannelStatistics(Tensor raw)
    {
        using var scope = NewDisposeScope();
        var perChannel = raw.transpose(0, 1).reshape(raw.shape[1], -1);
        return (perChannel.mean(new long[] { 1 }).cpu().data<float>().ToArray(), perChannel.std(1).clamp_min(1e-4).cpu().data<float>().ToArray());
    }

    /// <summary>Labels [N, D] as +1 / −1 / 0, with unknown labels as 0 (masked like ties).</summary>
    private static Tensor LabelTensor(RewardPairData pairs, IReadOnlyList<string> dimensions, Device device)
    {
        var values = new float[pairs.Count * dimensions.Count];
        for (var d = 0; d < dimensions.Count; d++)
        {
            var source = pairs.IndexOf(dimensions[d]);
            for (var i = 0; i < pairs.Count; i++)
            {
                var j = (i * pairs.Dimensions.Count) + source;
                values[(i * dimensions.Count) + d] = pairs.Known[j] ? pairs.Labels[j] : 0;
            }
        }

        return tensor(values, new long[] { pairs.Count, dimensions.Count }, device: device);
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>
/// VideoReward-mini (<see cref="VideoRewardModel"/>, what <c>video_reward</c> trains) as a model file: the
/// <see cref="VideoRewardNetwork"/>'s tensors without a prefix (<c>video.spatial1.weight</c>,
/// <c>prompt.embedding.weight</c>, <c>heads.0.hidden.weight</c>, …). Metadata: the dimensions in the order of the
/// network's outputs, the token mode (<c>separate</c> or <c>shared</c>), the loss as experiment files write it, the tie
/// handling (<c>rao-kupper</c> for BTT, <c>masked</c> for BT, <c>none</c> for regression) with BTT's θ, the width, the
/// prompt tokenizer (GPT-2 ids + 1, 0 is padding, <see cref="RewardPromptTokens.MaxTokens"/> kept), the video shape
/// [3, T, H, W] (pixels in [0, 1]), the frame rate its file videos were sampled at when known
/// (<see cref="VideoRewardModel.VideoFps"/>), and the z-normalisation
/// statistics (<see cref="ModelMetadata.ScoreMean"/>, <see cref="ModelMetadata.ScoreDeviation"/>) of its evaluation split.
/// </summary>
public static class VideoRewardFile
{
    /// <summary>GPT-2's BPE ids shifted by one (<see cref="RewardPromptTokens"/>).</summary>
    public const string Tokenizer = "gpt2+1";

    /// <param name="model">The reward model.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="provenance">Where it comes from, when it comes from a run.</param>
    public static void Save(VideoRewardModel model, string path, ModelProvenance? provenance = null)
    {
        var metadata = ModelMetadata.For(ModelKinds.VideoReward, provenance);
        metadata.SetList(ModelMetadata.Dimensions, model.Dimensions);
        metadata[ModelMetadata.Tokens] = model.Tokens == RewardTokenMode.Shared ? "shared" : "separate";
        metadata[ModelMetadata.Loss] = model.Loss.ToString();
        metadata[ModelMetadata.Ties] = model.Loss.Kind switch
        {
            RewardLossKind.BradleyTerryWithTies => "rao-kupper",
            RewardLossKind.BradleyTerry => "masked",
            _ => "none",
        };
        if (model.Loss.Kind == RewardLossKind.BradleyTerryWithTies)
        {
            metadata.Set(ModelMetadata.TieTheta, model.Loss.Theta);
        }

        metadata.Set(ModelMetadata.Width, model.Network.Width);
        metadata[ModelMetadata.Tokenizer] = Tokenizer;
        metadata.Set(ModelMetadata.Vocabulary, model.Network.Vocabulary);
        metadata.Set(ModelMetadata.MaxTokens, RewardPromptTokens.MaxTokens);
        metadata.SetList(ModelMetadata.VideoShape, model.Shape.ToArray());
        if (model.VideoFps is { } rate)
        {
            metadata.Set(ModelMetadata.VideoFps, rate);
        }

        if (model.Normalization is { } statistics)
        {
            metadata.SetList(ModelMetadata.ScoreMean, statistics.Mean);
            metadata.SetList(ModelMetadata.ScoreDeviation, statistics.StandardDeviation);
        }

        ModelFile.Write(path, metadata, ModuleTensors.Collect(model.Network));
    }

    public static VideoRewardModel Load(string path, Device device)
    {
        var file = ModelFile.Open(path, ModelKinds.VideoReward);
        var metadata = file.Metadata;
        var dimensions = ModelFile.Dimensions(metadata);

        var tokens = metadata[ModelMetadata.Tokens] switch
        {
            "separate" => RewardTokenMode.Separate,
            "shared" => RewardTokenMode.Shared,
            var other => throw metadata.Invalid(ModelMetadata.Tokens, $"is '{other}', not separate or shared"),
        };
        var loss = metadata[ModelMetadata.Ties] switch
        {
            "rao-kupper" => RewardLoss.Btt(metadata.Double(ModelMetadata.TieTheta)),
            "masked" => RewardLoss.Bt,
            "none" => RewardLoss.Regression,
            var other => throw metadata.Invalid(ModelMetadata.Ties, $"is '{other}', not rao-kupper, masked or none"),
        };
        if (metadata[ModelMetadata.Tokenizer] != Tokenizer)
        {
            throw metadata.Invalid(ModelMetadata.Tokenizer, $"is '{metadata[ModelMetadata.Tokenizer]}'; this runtime's reward model reads prompts with '{Tokenizer}'");
        }

        var width = metadata.Int(ModelMetadata.Width);
        var vocabulary = metadata.Int(ModelMetadata.Vocabulary);
        if (vocabulary != RewardPromptTokens.Vocabulary)
        {
            throw metadata.Invalid(ModelMetadata.Vocabulary, $"is {vocabulary}; prompts tokenized with '{Tokenizer}' take ids up to {RewardPromptTokens.Vocabulary - 1}, so the embedding has {RewardPromptTokens.Vocabulary} rows");
        }

        var shape = ModelFile.VideoShape(metadata);
        var normalization = Normalization(metadata, dimensions.Length);
        file.Expect("video.spatial1.weight", 0, width, ModelMetadata.Width);
        file.Expect("prompt.embedding.weight", 0, vocabulary, ModelMetadata.Vocabulary);
        file.Expect("prompt.embedding.weight", 1, width, ModelMetadata.Width);
        using var tensors = file.ReadTensors();
        var network = ModelFile.Build(metadata, () => new VideoRewardNetwork(dimensions, tokens, vocabulary, width));
        ModuleTensors.Load(network, tensors.Tensors, path);
        network.to(device);
        network.eval();
        return new VideoRewardModel(network, shape, loss, device, normalization) { VideoFps = Fps(metadata) };
    }

    private static double? Fps(ModelMetadata metadata)
    {
        if (!metadata.Has(ModelMetadata.VideoFps))
        {
            return null;
        }

        var fps = metadata.Double(ModelMetadata.VideoFps);
        return fps > 0 ? fps : throw metadata.Invalid(ModelMetadata.VideoFps, $"is {metadata[ModelMetadata.VideoFps]}, not a frame rate above 0");
    }

    private static RewardNormalization? Normalization(ModelMetadata metadata, int dimensions)
    {
        if (!metadata.Has(ModelMetadata.ScoreMean) && !metadata.Has(ModelMetadata.ScoreDeviation))
        {
            return null;
        }

        var mean = metadata.List<double>(ModelMetadata.ScoreMean);
        var deviation = metadata.List<double>(ModelMetadata.ScoreDeviation);
        if (mean.Length != dimensions || deviation.Length != dimensions || !mean.All(double.IsFinite) || !deviation.All(d => double.IsFinite(d) && d > 0))
        {
            throw metadata.Invalid(ModelMetadata.ScoreMean, $"and '{ModelMetadata.ScoreDeviation}' need one finite value per dimension ({dimensions}), deviations positive");
        }

        return new RewardNormalization(mean, deviation);
    }
}

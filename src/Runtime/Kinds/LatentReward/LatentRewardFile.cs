using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.LatentReward;

/// <summary>
/// A <see cref="LatentRewardModel"/> (what <c>latent_reward</c> trains, Flow-NRG's reward on noisy latents) as a
/// model file: the <see cref="LatentRewardNetwork"/>'s tensors under <c>reward.</c> (with its buffers: the frozen mean
/// prompt vector <c>reward.centre.centre</c> and the score scale <c>reward.score_scale</c>) and its autoencoder's under
/// <c>autoencoder.</c>. Metadata: the dimensions in output order, <see cref="ModelMetadata.NoiseAware"/> (trained on
/// noisy latents x_t, or on clean ones: the ablation), the width, the video and latent shapes, the autoencoder's width,
/// the per-channel latent mean and deviation the reward normalises with, and the prompt tokenizer (the generator's).
/// </summary>
public static class LatentRewardFile
{
    internal const string Prefix = "reward.";

    public static void Save(LatentRewardModel model, string path, ModelProvenance? provenance = null)
    {
        var network = model.Network as LatentRewardNetwork ?? throw new ArgumentException($"no model file layout for a {model.Network.GetType().Name}", nameof(model));
        var metadata = ModelMetadata.For(ModelKinds.LatentReward, provenance);
        metadata.SetList(ModelMetadata.Dimensions, model.Dimensions);
        metadata.Set(ModelMetadata.NoiseAware, model.Noisy);
        metadata.Set(ModelMetadata.Width, network.Width);
        AutoencoderFile.Describe(model.Autoencoder, metadata, ModelMetadata.AutoencoderWidth);
        metadata.SetList(ModelMetadata.LatentMean, model.Mean);
        metadata.SetList(ModelMetadata.LatentDeviation, model.Deviation);
        FlowGeneratorFile.DescribePrompts(metadata);
        ModelFile.Write(path, metadata, ModuleTensors.Collect(network, Prefix).Concat(ModuleTensors.Collect(model.Autoencoder, AutoencoderFile.Prefix)));
    }

    public static LatentRewardModel Load(string path, Device device)
    {
        var file = ModelFile.Open(path, ModelKinds.LatentReward);
        var metadata = file.Metadata;
        var dimensions = ModelFile.Dimensions(metadata);
        var noisy = metadata.Bool(ModelMetadata.NoiseAware);
        var width = metadata.Int(ModelMetadata.Width);
        var latent = AutoencoderFile.Latent(metadata);
        var mean = metadata.List<float>(ModelMetadata.LatentMean);
        var deviation = metadata.List<float>(ModelMetadata.LatentDeviation);
        if (mean.Length != latent.Channels || deviation.Length != latent.Channels)
        {
            throw metadata.Invalid(ModelMetadata.LatentMean, $"and '{ModelMetadata.LatentDeviation}' need one value per latent channel ({latent.Channels})");
        }

        file.Expect(Prefix + "input.weight", 0, width, ModelMetadata.Width);
        file.Expect(Prefix + "input.weight", 1, latent.Channels + VelocityConvNet.CoordinateChannels, ModelMetadata.LatentShape);
        file.Expect(Prefix + "score_scale", 0, dimensions.Length, ModelMetadata.Dimensions);
        using var tensors = file.ReadTensors();
        ModuleTensors.RequireOnly(tensors.Tensors, path, Prefix, AutoencoderFile.Prefix);
        var network = ModelFile.Build(metadata, () => new LatentRewardNetwork(latent, width, dimensions));
        ModuleTensors.Load(network, tensors.Tensors, path, Prefix);
        network.to(device);
        network.eval();
        var autoencoder = AutoencoderFile.Restore(file, tensors, AutoencoderFile.Prefix, ModelMetadata.AutoencoderWidth, device);
        return new LatentRewardModel(network, autoencoder, dimensions, noisy, mean, deviation);
    }
}

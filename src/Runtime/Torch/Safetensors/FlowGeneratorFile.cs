using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>
/// A <see cref="FlowGeneratorModel"/> (what <c>flow_generator</c>, <c>flow_sft</c>, <c>flow_rwr</c> and <c>flow_dpo</c>
/// train) as a model file: the velocity network's tensors under <c>velocity.</c> and, for a latent generator, its
/// autoencoder's under <c>autoencoder.</c>. Metadata: <see cref="ModelMetadata.Network"/> (<c>conv</c>, the latent
/// <see cref="VelocityConvNet"/>, or <c>mlp</c>, the pixel-space <see cref="VelocityMlp"/>), its width, the video
/// shape, the sampler (steps, classifier-free guidance scale), the prompt tokenizer, and for <c>conv</c> the latent
/// shape, the autoencoder's width and the per-channel latent mean and deviation the network was trained on.
/// </summary>
public static class FlowGeneratorFile
{
    /// <summary>The generator's and the latent reward's prompt ids: <see cref="PromptTokens"/> (FNV-1a of lower-cased words).</summary>
    public const string PromptTokenizer = "words-fnv1a-4096";

    internal const string Prefix = "velocity.";

    public static void Save(FlowGeneratorModel generator, string path, ModelProvenance? provenance = null)
    {
        var metadata = ModelMetadata.For(ModelKinds.FlowGenerator, provenance);
        metadata.SetList(ModelMetadata.VideoShape, generator.Shape.ToArray());
        metadata.Set(ModelMetadata.SamplingSteps, generator.SamplingSteps);
        metadata.Set(ModelMetadata.CfgScale, generator.CfgScale);
        DescribePrompts(metadata);
        var tensors = ModuleTensors.Collect(generator.Network, Prefix).ToList();
        if (generator.Network is VelocityConvNet conv)
        {
            var autoencoder = generator.Space.Autoencoder ?? throw new ArgumentException("a latent velocity network needs its autoencoder", nameof(generator));
            metadata[ModelMetadata.Network] = "conv";
            metadata.Set(ModelMetadata.Width, conv.Width);
            AutoencoderFile.Describe(autoencoder, metadata, ModelMetadata.AutoencoderWidth);
            metadata.SetList(ModelMetadata.LatentMean, generator.Space.Mean);
            metadata.SetList(ModelMetadata.LatentDeviation, generator.Space.Deviation);
            tensors.AddRange(ModuleTensors.Collect(autoencoder, AutoencoderFile.Prefix));
        }
        else if (generator.Network is VelocityMlp)
        {
            metadata[ModelMetadata.Network] = "mlp";
            metadata.Set(ModelMetadata.Width, (int)generator.Network.state_dict()["hidden.weight"].shape[0]);
        }
        else
        {
            throw new ArgumentException($"no model file layout for a {generator.Network.GetType().Name}", nameof(generator));
        }

        ModelFile.Write(path, metadata, tensors);
    }

    public static FlowGeneratorModel Load(string path, Device device)
    {
        var file = ModelFile.Open(path, ModelKinds.FlowGenerator);
        var metadata = file.Metadata;
        var shape = ModelFile.VideoShape(metadata);
        var width = metadata.Int(ModelMetadata.Width);
        var steps = metadata.Int(ModelMetadata.SamplingSteps);
        var cfgScale = metadata.Double(ModelMetadata.CfgScale);
        var network = metadata[ModelMetadata.Network];
        if (network == "conv")
        {
            var latent = AutoencoderFile.Latent(metadata);
            var mean = metadata.List<float>(ModelMetadata.LatentMean);
            var deviation = metadata.List<float>(ModelMetadata.LatentDeviation);
            if (mean.Length != latent.Channels || deviation.Length != latent.Channels)
            {
                throw metadata.Invalid(ModelMetadata.LatentMean, $"and '{ModelMetadata.LatentDeviation}' need one value per latent channel ({latent.Channels})");
            }

            file.Expect(Prefix + "input.weight", 0, width, ModelMetadata.Width);
            file.Expect(Prefix + "input.weight", 1, latent.Channels + VelocityConvNet.CoordinateChannels, ModelMetadata.LatentShape);
            using var tensors = file.ReadTensors();
            ModuleTensors.RequireOnly(tensors.Tensors, path, Prefix, AutoencoderFile.Prefix);
            var velocity = ModelFile.Build(metadata, () => new VelocityConvNet(latent, width));
            ModuleTensors.Load(velocity, tensors.Tensors, path, Prefix);
            var autoencoder = AutoencoderFile.Restore(file, tensors, AutoencoderFile.Prefix, ModelMetadata.AutoencoderWidth, device);
            return new FlowGeneratorModel(Ready(velocity, device), shape, LatentSpace.Restore(autoencoder, mean, deviation), steps, cfgScale, device);
        }

        if (network == "mlp")
        {
            file.Expect(Prefix + "input.weight", 0, width, ModelMetadata.Width);
            file.Expect(Prefix + "input.weight", 1, shape.Length + VelocityMlp.InputFeatures, ModelMetadata.VideoShape);
            using var tensors = file.ReadTensors();
            ModuleTensors.RequireOnly(tensors.Tensors, path, Prefix);
            var velocity = ModelFile.Build(metadata, () => new VelocityMlp(shape.Length, width));
            ModuleTensors.Load(velocity, tensors.Tensors, path, Prefix);
            return new FlowGeneratorModel(Ready(velocity, device), shape, LatentSpace.Pixels(shape), steps, cfgScale, device);
        }

        throw metadata.Invalid(ModelMetadata.Network, $"is '{network}', not conv or mlp");
    }

    /// <summary>The prompt tokenizer's keys, shared with the latent reward, whose prompt encoder is the generator's.</summary>
    internal static void DescribePrompts(ModelMetadata metadata)
    {
        metadata[ModelMetadata.Tokenizer] = PromptTokenizer;
        metadata.Set(ModelMetadata.Vocabulary, PromptTokens.Buckets);
        metadata.Set(ModelMetadata.MaxTokens, PromptTokens.MaxWords);
    }

    private static T Ready<T>(T network, Device device)
        where T : nn.Module
    {
        network.to(device);
        network.eval();
        return network;
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Kinds.LatentReward;
using Pipeline.Runtime.Kinds.VideoReward;
using Pipeline.Runtime.Kinds;
using Pipeline.Runtime.Tests.Data;
using Pipeline.Runtime.Torch.Models.Reward;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>
/// Model files beyond their tensors: the provenance and hyperparameters in the metadata, and every way a file can fail
/// to describe a network the runtime can build (PIPE4602–4605), each found before the network is built.
/// </summary>
public sealed class ModelFileTests
{
    private static readonly VideoShape Video = new(3, 4, 8, 8);
    private static readonly LatentShape Latent = new(4, 4, 4, 4);
    private static readonly ModelProvenance Trained = new("videoalign_mini", new string('a', 64), "ae", new string('b', 64), "autoencoder");

    [Fact]
    public void The_metadata_records_the_provenance_and_a_run_that_exports_reused_weights_adds_its_own_source()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "ae.safetensors");
        using var autoencoder = new VideoAutoencoder(Video, Latent, 8);

        AutoencoderFile.Save(autoencoder, path, Trained);
        var metadata = ModelFile.ReadMetadata(path);

        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("pipeline-model/1", metadata["pipeline.format"]);
        Assert.Equal("autoencoder", metadata["pipeline.model"]);
        Assert.Equal("videoalign_mini", metadata["pipeline.experiment"]);
        Assert.Equal(new string('a', 64), metadata["pipeline.source_sha256"]);
        Assert.Equal("ae", metadata["pipeline.stage"]);
        Assert.Equal(new string('b', 64), metadata["pipeline.stage_hash"]);
        Assert.Equal("autoencoder", metadata["pipeline.stage_kind"]);
        Assert.Matches(@"^0\.1\.0\.0\+[0-9a-f]{16}$", metadata["pipeline.runtime_build"]);
        Assert.Equal("[3,4,8,8]", metadata["pipeline.video_shape"]);
        Assert.Equal("[4,4,4,4]", metadata["pipeline.latent_shape"]);
        Assert.Equal("8", metadata["pipeline.width"]);
        Assert.False(metadata.Has("pipeline.export.source_sha256"));
        Assert.Equal(Trained, metadata.Provenance);

        var exported = Trained.ExportedBy("unguided", new string('c', 64));
        AutoencoderFile.Save(autoencoder, path, exported);
        var reread = ModelFile.ReadMetadata(path);

        Assert.Equal(new string('a', 64), reread["pipeline.source_sha256"]);
        Assert.Equal("unguided", reread["pipeline.export.experiment"]);
        Assert.Equal(new string('c', 64), reread["pipeline.export.source_sha256"]);
        Assert.Equal(exported, reread.Provenance);
    }

    [Fact]
    public void A_reward_models_hyperparameters_and_statistics_read_back_exactly()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "vr.safetensors");
        var mean = new[] { 0.1 + 0.2, -1.0 / 3, 2e-300 };
        var deviation = new[] { Math.PI, 1e-6, 7.25 };
        var model = new VideoRewardModel(new VideoRewardNetwork(["VQ", "MQ", "TA"], RewardTokenMode.Separate, RewardPromptTokens.Vocabulary, 8), new VideoShape(3, 4, 16, 16), RewardLoss.Btt(5), CPU, new RewardNormalization(mean, deviation)) { VideoFps = 2.5 };

        VideoRewardFile.Save(model, path);
        var metadata = ModelFile.ReadMetadata(path);
        var loaded = VideoRewardFile.Load(path, CPU);

        Assert.Equal("""["VQ","MQ","TA"]""", metadata["pipeline.dimensions"]);
        Assert.Equal("separate", metadata["pipeline.tokens"]);
        Assert.Equal("btt(theta: 5.0)", metadata["pipeline.loss"]);
        Assert.Equal("rao-kupper", metadata["pipeline.ties"]);
        Assert.Equal("5", metadata["pipeline.tie_theta"]);
        Assert.Equal("gpt2+1", metadata["pipeline.tokenizer"]);
        Assert.Equal("32", metadata["pipeline.max_tokens"]);
        Assert.Equal("2.5", metadata["pipeline.video_fps"]);
        Assert.False(metadata.Has("pipeline.stage_hash"));
        Assert.Equal(mean, loaded.Normalization!.Mean);
        Assert.Equal(deviation, loaded.Normalization.StandardDeviation);
        Assert.Equal(RewardLoss.Btt(5), loaded.Loss);
        Assert.Equal(["VQ", "MQ", "TA"], loaded.Dimensions);
    }

    [Fact]
    public void A_file_of_another_kind_is_PIPE4604_and_a_file_without_Pipeline_metadata_is_PIPE4603()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "ae.safetensors");
        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);

        var kind = Assert.Throws<PipelineException>(() => VideoRewardFile.Load(path, CPU));
        Assert.Equal("PIPE4604", kind.Code);
        Assert.Equal($"{path}: the file holds the model kind 'autoencoder', not 'video_reward'.", kind.Message);

        Rewrite(path, metadata => metadata.Remove("pipeline.model"));
        var plain = Assert.Throws<PipelineException>(() => AutoencoderFile.Load(path, CPU));
        Assert.Equal("PIPE4603", plain.Code);
        Assert.Contains("so it is not a Pipeline model file", plain.Message);
    }

    [Theory]
    [InlineData("pipeline.format", "pipeline-model/2", "metadata 'pipeline.format' is 'pipeline-model/2'; this runtime reads 'pipeline-model/1'")]
    [InlineData("pipeline.width", "eight", "metadata 'pipeline.width' is 'eight', not an integer")]
    [InlineData("pipeline.video_shape", "[3,4,8]", "metadata 'pipeline.video_shape' is '[3,4,8]', not 4 positive integers")]
    [InlineData("pipeline.video_shape", "[3,4,8,", "metadata 'pipeline.video_shape' is '[3,4,8,', not a JSON list of Int32")]
    [InlineData("pipeline.video_shape", "[1,4,8,8]", "a video shape is [3, frames, height, width]")]
    [InlineData("pipeline.latent_shape", "[4,2,4,4]", "the metadata describes no network this runtime can build: the latent keeps every frame")]
    public void Malformed_metadata_is_PIPE4603_naming_the_key(string key, string value, string message)
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "ae.safetensors");
        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);
        Rewrite(path, metadata => metadata[key] = value);

        var error = Assert.Throws<PipelineException>(() => AutoencoderFile.Load(path, CPU));

        Assert.Equal("PIPE4603", error.Code);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Metadata_that_disagrees_with_the_tensors_is_PIPE4602_before_any_network_is_built()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "generator.safetensors");
        var autoencoder = new VideoAutoencoder(Video, Latent, 8);
        FlowGeneratorFile.Save(new FlowGeneratorModel(new VelocityConvNet(Latent, 8), Video, LatentSpace.Restore(autoencoder, [0, 0, 0, 0], [1, 1, 1, 1]), 4, 3, CPU), path);
        // A width of 200 000 would be a 16 GB network: the header's tensors say 8, so nothing is built.
        Rewrite(path, metadata => metadata["pipeline.width"] = "200000");

        var error = Assert.Throws<PipelineException>(() => FlowGeneratorFile.Load(path, CPU));

        Assert.Equal("PIPE4602", error.Code);
        Assert.Equal($"{path}: tensor 'velocity.input.weight' has shape [8, 7, 3, 3, 3], which does not fit metadata 'pipeline.width' = 200000.", error.Message);
    }

    [Fact]
    public void A_missing_an_unexpected_or_a_misshapen_tensor_is_PIPE4602()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "ae.safetensors");
        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);

        Rewrite(path, tensors: t => t.Remove("decoder.1.bias"));
        Assert.Equal($"{path}: tensor 'decoder.1.bias' is missing (the network has it, with shape [8]).", Load(path).Message);

        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);
        Rewrite(path, tensors: t => t["encoder.9.weight"] = zeros(2));
        Assert.Equal($"{path}: the network has no tensor named 'encoder.9.weight'.", Load(path).Message);

        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);
        Rewrite(path, tensors: t => t["decoder.1.bias"] = zeros(9));
        Assert.Equal($"{path}: tensor 'decoder.1.bias' has shape [9]; the network's has [8] (the metadata's hyperparameters and the tensors disagree).", Load(path).Message);

        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);
        Rewrite(path, tensors: t => t["decoder.1.bias"] = zeros(8, dtype: ScalarType.Float64));
        Assert.Equal($"{path}: tensor 'decoder.1.bias' is F64; the network's is F32.", Load(path).Message);

        AutoencoderFile.Save(new VideoAutoencoder(Video, Latent, 8), path);
        Rewrite(path, tensors: t => t["velocity.input.weight"] = zeros(2));
        Assert.Contains("tensor 'velocity.input.weight' belongs to no part of this model", Load(path).Message);

        static PipelineException Load(string path)
        {
            var error = Assert.Throws<PipelineException>(() => AutoencoderFile.Load(path, CPU));
            Assert.Equal("PIPE4602", error.Code);
            return error;
        }
    }

    [Fact]
    public void An_adapter_for_another_network_or_other_layers_is_refused()
    {
        using var folder = TestFiles.NewFolder();
        var path = Path.Combine(folder, "lora.safetensors");
        using var adapter = new LoraAdapter(new VelocityConvNet(Latent, 8), rank: 2, alpha: 4, seed: 1);
        LoraAdapterFile.Save(adapter, "conv", path);

        var network = Assert.Throws<PipelineException>(() => LoraAdapterFile.Load(path, new VelocityMlp(Video.Length, 16), "mlp"));
        Assert.Equal("PIPE4604", network.Code);
        Assert.Equal($"{path}: the adapter is for a 'conv' network, not a 'mlp' one.", network.Message);

        Rewrite(path, metadata => metadata["pipeline.target_modules"] = """["first.0"]""");
        var layers = Assert.Throws<PipelineException>(() => LoraAdapterFile.Load(path, new VelocityConvNet(Latent, 8), "conv"));
        Assert.Equal("PIPE4603", layers.Code);
        Assert.Contains("metadata 'pipeline.target_modules' lists [first.0]; the network's adaptable layers are [time_input, condition, input, output, first.0, first.1", layers.Message);
    }

    [Fact]
    public void Damaged_files_load_or_fail_with_a_model_file_code_never_another_exception()
    {
        using var folder = TestFiles.NewFolder();
        var valid = Path.Combine(folder, "generator.safetensors");
        var autoencoder = new VideoAutoencoder(Video, Latent, 8);
        FlowGeneratorFile.Save(new FlowGeneratorModel(new VelocityConvNet(Latent, 8), Video, LatentSpace.Restore(autoencoder, [0, 0, 0, 0], [1, 1, 1, 1]), 4, 3, CPU), valid);
        var original = System.IO.File.ReadAllBytes(valid);
        var headerEnd = 8 + (int)BitConverter.ToUInt64(original, 0);
        var random = new Random(22);
        var path = Path.Combine(folder, "damaged.safetensors");
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var bytes = original.ToList();
            switch (i % 5)
            {
                case 0: // one byte of the header changed
                    bytes[random.Next(headerEnd)] = (byte)random.Next(256);
                    break;
                case 1: // truncated anywhere
                    var keep = random.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 2: // a digit of the header changed into another digit: shapes, offsets, widths and shapes in the metadata
                    var digits = Enumerable.Range(8, headerEnd - 8).Where(j => char.IsAsciiDigit((char)bytes[j])).ToArray();
                    bytes[digits[random.Next(digits.Length)]] = (byte)('0' + random.Next(10));
                    break;
                case 3: // random bytes inserted into the header
                    bytes.InsertRange(8 + random.Next(headerEnd - 8), Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                    break;
                default: // another header length
                    bytes.RemoveRange(0, 8);
                    bytes.InsertRange(0, BitConverter.GetBytes((ulong)random.NextInt64(0, 2 * headerEnd)));
                    break;
            }

            System.IO.File.WriteAllBytes(path, bytes.ToArray());
            try
            {
                FlowGeneratorFile.Load(path, CPU);
                outcomes["loaded"] = outcomes.GetValueOrDefault("loaded") + 1;
            }
            catch (PipelineException error)
            {
                Assert.True(error.Code is "PIPE4601" or "PIPE4602" or "PIPE4603" or "PIPE4604", $"case {i}: {error.Code} {error.Message}");
                Assert.StartsWith(path, error.Message);
                outcomes[error.Code] = outcomes.GetValueOrDefault(error.Code) + 1;
            }
        }

        // Each way of failing was reached (a changed digit can still describe a valid file: those load).
        Assert.True(outcomes.Keys.Order().SequenceEqual(["PIPE4601", "PIPE4602", "PIPE4603", "loaded"]), string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
    }

    /// <summary>Rewrites a file with its metadata and tensors changed, as a damaged or hand-edited file would be.</summary>
    private static void Rewrite(string path, Action<Dictionary<string, string>>? metadata = null, Action<Dictionary<string, Tensor>>? tensors = null)
    {
        var file = SafetensorsFile.Open(path);
        var keys = file.Metadata.ToDictionary();
        var values = file.ReadTensors();
        metadata?.Invoke(keys);
        tensors?.Invoke(values);
        SafetensorsFile.Write(path, keys, values.Select(v => (v.Key, v.Value)).ToArray());
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using Pipeline.Runtime.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>
/// The <c>flow_generator</c> estimator (ML.NET style), made by <c>mlContext.Models().FlowGenerator(options)</c>:
/// <see cref="Fit(IDataView)"/> pretrains a rectified-flow generator by flow matching on a data view of videos
/// (<see cref="VideoSetView"/>: columns <c>Prompt</c>, text, and <c>Video</c>, floats C·T·H·W in [0, 1]), in the latent
/// space of the options' autoencoder when one is given and in pixel space otherwise.
/// Training: x0 = the video's (normalised) latent, ε ~ N(0, I), t from <see cref="FlowGeneratorOptions.Timesteps"/>,
/// x_t = (1 − t)·x0 + t·ε, loss = mean ‖v(x_t, t, prompt) − (ε − x0)‖², the prompt dropped with probability
/// <see cref="FlowGeneratorOptions.CfgDropout"/> so the same network learns the unconditional velocity for guidance.
/// </summary>
public sealed class FlowGeneratorEstimator(MLContext context, FlowGeneratorOptions options) : IEstimator<FlowGeneratorTransformer>
{
    public const string SeedColumn = "Seed";

    /// <summary>The estimator's options: the stage's (<c>pretrain.data</c> is what the stage fits it on).</summary>
    public FlowGeneratorOptions Options { get; } = options;

    /// <summary>
    /// The fitting stage's seed, name, metrics log, progress, device and given weights (<c>init</c>: the file's
    /// <c>velocity.*</c> tensors instead of the seeded random initialisation; the latent space is still measured on
    /// the data with the options' autoencoder); set before <see cref="Fit(IDataView)"/>.
    /// </summary>
    public TrainingRun? Run { get; set; }

    /// <summary>The trainer of the last fit (its per-step losses).</summary>
    public Trainer? Trainer { get; private set; }

    /// <summary>Pretrains on the videos of the data view.</summary>
    public FlowGeneratorTransformer Fit(IDataView input) => Fit(VideoSetView.Read(context, input));

    /// <summary>Pretrains on a video set (what <see cref="Fit(IDataView)"/> does after reading the view).</summary>
    public FlowGeneratorTransformer Fit(VideoSet videos)
    {
        var run = TrainingRun.Required(Run, nameof(FlowGeneratorEstimator));
        var (device, pretrain, autoencoder) = (run.Device, Options.Pretrain, Options.Autoencoder);
        if (videos.Count == 0)
        {
            throw new ArgumentException("flow-matching pretraining needs at least one video");
        }

        var shape = videos.Shape;
        RandomStream.SeedInitialisation(run.Seed);
        using var pixels = VideoTensors.Signed(videos, device);
        var space = autoencoder is null ? LatentSpace.Pixels(shape) : LatentSpace.Measure(autoencoder, pixels);
        using var data = space.FromVideos(pixels);
        using var tokens = PromptTokens.Encode(videos.Select(v => v.Prompt).ToArray(), device);
        nn.Module<Tensor, Tensor, Tensor, Tensor> network = autoencoder is null
            ? new VelocityMlp(shape.Length, Options.Width)
            : new VelocityConvNet(autoencoder.LatentShape, Options.Width);
        run.Init?.LoadInto(network, FlowGeneratorFile.Prefix, AutoencoderFile.Prefix);
        network.to(device);
        var trainer = new Trainer(network, pretrain.Lr, run.Stage, run.Log);
        using var random = trainer.Track(RandomStream.Create(run.Seed, device));
        var batch = pretrain.Batch;
        trainer.Run(pretrain.Steps, _ =>
        {
            var index = random.Randint(videos.Count, batch);
            var x0 = data.index_select(0, index);
            var prompt = tokens.index_select(0, index);
            prompt = PromptTokens.DropToNull(prompt, Options.CfgDropout, random);
            var noise = random.Randn(x0.shape);
            var t = SampleTimes(batch, random);
            var velocity = network.forward(FlowMatching.Interpolate(x0, noise, t), t, prompt);
            return FlowMatching.PerSampleError(velocity, x0, noise).mean();
        }, run.Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, new FlowGeneratorModel(network, shape, space, Options.SamplingSteps, Options.CfgScale, device));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.TryGetValue(VideoSetView.PromptColumn, out var prompt) || prompt.ItemType != TextDataViewType.Instance)
        {
            throw new ArgumentException($"the input needs a text column '{VideoSetView.PromptColumn}'");
        }

        columns[VideoSetView.VideoColumn] = SchemaColumns.Single(VideoSetView.VideoColumn, vector: true);
        return new SchemaShape(columns.Values);
    }

    private Tensor SampleTimes(int batch, RandomStream random) => Options.Timesteps switch
    {
        FlowTimesteps.Uniform => random.Rand(batch),
        FlowTimesteps.LogitNormal => random.Randn(batch).sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(Options), Options.Timesteps, "no such timestep sampling"),
    };

    /// <summary>A row of a prompt data view for <see cref="FlowGeneratorTransformer.Transform"/>.</summary>
    public sealed class PromptRow
    {
        public string Prompt { get; set; } = string.Empty;

        public long Seed { get; set; }
    }

    /// <summary>A row the transformer writes: the prompt, its seed and the generated video.</summary>
    public sealed class GeneratedRow
    {
        public string Prompt { get; set; } = string.Empty;

        public long Seed { get; set; }

        public float[] Video { get; set; } = Array.Empty<float>();
    }
}

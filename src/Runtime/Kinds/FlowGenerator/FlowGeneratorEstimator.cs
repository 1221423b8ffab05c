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

/// <summary>The resolved settings of flow-matching pretraining (the <c>flow_generator</c> stage's options).</summary>
/// <param name="Steps">Training steps.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Batch">Videos per step.</param>
/// <param name="Width">Hidden width of the velocity network.</param>
/// <param name="Timesteps">How training samples t.</param>
/// <param name="CfgDropout">Probability that a training sample's prompt is replaced by the null prompt.</param>
/// <param name="CfgScale">Guidance scale the sampler uses by default.</param>
/// <param name="SamplingSteps">Euler steps the sampler uses by default.</param>
/// <param name="Seed">Seed of the weights, minibatches, noise and times.</param>
public sealed record FlowGeneratorSettings(
    int Steps,
    double LearningRate,
    int Batch,
    int Width,
    FlowTimesteps Timesteps,
    double CfgDropout,
    double CfgScale,
    int SamplingSteps,
    long Seed);

/// <summary>
/// The <c>flow_generator</c> estimator (ML.NET style): <see cref="Fit(IDataView)"/> pretrains a rectified-flow generator by
/// flow matching on a data view of videos (columns <c>Prompt</c>: text, <c>Video</c>: float vector C·T·H·W in [0, 1]),
/// in the latent space of an autoencoder when one is given and in pixel space otherwise.
/// Training: x0 = the video's (normalised) latent, ε ~ N(0, I), t from <see cref="FlowGeneratorSettings.Timesteps"/>,
/// x_t = (1 − t)·x0 + t·ε, loss = mean ‖v(x_t, t, prompt) − (ε − x0)‖², the prompt dropped with probability
/// <see cref="FlowGeneratorSettings.CfgDropout"/> so the same network learns the unconditional velocity for guidance.
/// </summary>
public sealed class FlowGeneratorEstimator : IEstimator<FlowGeneratorTransformer>
{
    public const string PromptColumn = "Prompt";
    public const string VideoColumn = "Video";
    public const string SeedColumn = "Seed";

    private readonly MLContext context;
    private readonly VideoShape shape;
    private readonly VideoAutoencoder? autoencoder;
    private readonly Device device;
    private readonly string stage;
    private readonly StageMetricsLog? log;

    public FlowGeneratorEstimator(MLContext context, VideoShape shape, FlowGeneratorSettings settings, VideoAutoencoder? autoencoder, Device device, string stage = "flow_generator", StageMetricsLog? log = null)
    {
        this.context = context;
        this.shape = shape;
        Settings = settings;
        this.autoencoder = autoencoder;
        this.device = device;
        this.stage = stage;
        this.log = log;
    }

    public FlowGeneratorSettings Settings { get; }

    /// <summary>Called after every training step with the step index and its loss (for progress logs).</summary>
    public Action<int, float>? Progress { get; set; }

    /// <summary>
    /// Weights the velocity network starts from (<c>init</c>: the file's <c>velocity.*</c> tensors) instead of the
    /// seeded random initialisation; the latent space is still measured on the data with the given autoencoder.
    /// </summary>
    public GivenWeights? Given { get; set; }

    /// <summary>The trainer of the last fit (its per-step losses).</summary>
    public Trainer? Trainer { get; private set; }

    /// <summary>Pretrains on the videos of the data view.</summary>
    public FlowGeneratorTransformer Fit(IDataView input)
    {
        var rows = context.Data.CreateEnumerable<VideoRow>(input, reuseRowObject: false).ToArray();
        var videos = new VideoSet(shape, rows.Select(r => new PromptedVideo(r.Prompt, new Video(shape, r.Video))).ToArray());
        return Fit(videos);
    }

    /// <summary>Pretrains on a video set (what <see cref="Fit(IDataView)"/> does after reading the view).</summary>
    public FlowGeneratorTransformer Fit(VideoSet videos)
    {
        if (videos.Count == 0)
        {
            throw new ArgumentException("flow-matching pretraining needs at least one video");
        }

        RandomStream.SeedInitialisation(Settings.Seed);
        using var pixels = VideoTensors.Signed(videos, device);
        var space = autoencoder is null ? LatentSpace.Pixels(shape) : LatentSpace.Measure(autoencoder, pixels);
        using var data = space.FromVideos(pixels);
        using var tokens = PromptTokens.Encode(videos.Select(v => v.Prompt).ToArray(), device);
        nn.Module<Tensor, Tensor, Tensor, Tensor> network = autoencoder is null
            ? new VelocityMlp(shape.Length, Settings.Width)
            : new VelocityConvNet(autoencoder.LatentShape, Settings.Width);
        Given?.LoadInto(network, FlowGeneratorFile.Prefix, AutoencoderFile.Prefix);
        network.to(device);
        var trainer = new Trainer(network, Settings.LearningRate, stage, log);
        using var random = trainer.Track(RandomStream.Create(Settings.Seed, device));
        var batch = Settings.Batch;
        trainer.Run(Settings.Steps, _ =>
        {
            var index = random.Randint(videos.Count, batch);
            var x0 = data.index_select(0, index);
            var prompt = tokens.index_select(0, index);
            prompt = PromptTokens.DropToNull(prompt, Settings.CfgDropout, random);
            var noise = random.Randn(x0.shape);
            var t = SampleTimes(batch, random);
            var velocity = network.forward(FlowMatching.Interpolate(x0, noise, t), t, prompt);
            return FlowMatching.PerSampleError(velocity, x0, noise).mean();
        }, Progress);
        Trainer = trainer;
        return new FlowGeneratorTransformer(context, new FlowGeneratorModel(network, shape, space, Settings.SamplingSteps, Settings.CfgScale, device));
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.TryGetValue(PromptColumn, out var prompt) || prompt.ItemType != TextDataViewType.Instance)
        {
            throw new ArgumentException($"the input needs a text column '{PromptColumn}'");
        }

        columns[VideoColumn] = SchemaColumns.Single(VideoColumn, vector: true);
        return new SchemaShape(columns.Values);
    }

    private Tensor SampleTimes(int batch, RandomStream random) => Settings.Timesteps switch
    {
        FlowTimesteps.Uniform => random.Rand(batch),
        FlowTimesteps.LogitNormal => random.Randn(batch).sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(Settings), Settings.Timesteps, "no such timestep sampling"),
    };

    /// <summary>Builds the estimator's input view from a video set.</summary>
    public static IDataView ToDataView(MLContext context, VideoSet videos)
    {
        var definition = SchemaDefinition.Create(typeof(VideoRow));
        definition[VideoColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, videos.Shape.Length);
        return context.Data.LoadFromEnumerable(videos.Select(v => new VideoRow { Prompt = v.Prompt, Video = v.Video.Data }).ToArray(), definition);
    }

    /// <summary>A row of a video data view.</summary>
    public sealed class VideoRow
    {
        public string Prompt { get; set; } = string.Empty;

        public float[] Video { get; set; } = Array.Empty<float>();
    }

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

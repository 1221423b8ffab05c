using Pipeline.Runtime.Artifacts;
using Pipeline.Runtime.Experiments;
using Pipeline.Runtime.Models;
using Pipeline.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Stages;

/// <summary>Options of <c>flow_generator</c>; defaults and documentation are in the catalogue.</summary>
public sealed class FlowGeneratorOptions : StageOptions
{
    public FlowGeneratorOptions()
        : base("flow_generator")
    {
    }

    public object? Autoencoder { get; set; }

    public PretrainOptions Pretrain { get; set; } = new();

    public int Width { get; set; }

    public string Timesteps { get; set; } = string.Empty;

    public double CfgDropout { get; set; }

    public double CfgScale { get; set; }

    public int SamplingSteps { get; set; }

    /// <summary><c>pretrain = { data: ..., steps: ..., lr: ..., batch: ... }</c></summary>
    public sealed class PretrainOptions : RecordOptions
    {
        public VideoSet? Data { get; set; }

        public int Steps { get; set; }

        public double Lr { get; set; }

        public int Batch { get; set; }
    }
}

/// <summary><c>flow_generator</c>: pretrains a rectified-flow generator by flow matching on the given videos.</summary>
public static class FlowGeneratorStage
{
    public static StageOutput Run(RunContext context, string name, FlowGeneratorOptions options)
    {
        if (options.Autoencoder is not null)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.KindNotImplemented, "flow_generator with an autoencoder (latent generation) is not implemented by this runtime yet; remove 'autoencoder' to train in pixel space.") { Stage = name };
        }

        var videos = options.Pretrain.Data ?? throw new InvalidOperationException("pretrain.data is required; the compiler checks it");
        var device = context.Device.Resolve();
        var seed = context.StageSeed(name);
        manual_seed(seed);
        var size = videos.Shape.Channels * videos.Shape.Frames * videos.Shape.Height * videos.Shape.Width;
        using var data = tensor(videos.ToSignedBuffer(), new long[] { videos.Count, size }, device: device);
        var network = new VelocityMlp(size, options.Width);
        network.to(device);
        using var generator = new Generator((ulong)seed, device);
        var trainer = new AdamTrainer(network, options.Pretrain.Lr);
        var batch = options.Pretrain.Batch;
        trainer.Run(options.Pretrain.Steps, name, _ =>
        {
            var index = randint(videos.Count, new long[] { batch }, generator: generator, device: device);
            var x0 = data.index_select(0, index);
            var noise = randn(x0.shape, generator: generator, device: device);
            var t = rand(new long[] { batch }, generator: generator, device: device);
            var velocity = network.forward(FlowMatching.Interpolate(x0, noise, t), t);
            return FlowMatching.PerSampleError(velocity, x0, noise).mean();
        });

        var output = new StageOutput(name, "flow_generator", new FlowGenerator(network, videos.Shape, options.SamplingSteps, device));
        output.Metrics["steps"] = options.Pretrain.Steps;
        output.Metrics["loss_start"] = trainer.MeanLoss(atStart: true);
        output.Metrics["loss_end"] = trainer.MeanLoss(atStart: false);
        return output;
    }
}

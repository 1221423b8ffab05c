using Pipeline.Runtime.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Models;

/// <summary>The Generator artifact: a trained velocity network and how to sample videos from it.</summary>
public sealed class FlowGenerator
{
    public FlowGenerator(VelocityMlp network, VideoShape shape, int samplingSteps, Device device)
    {
        Network = network;
        Shape = shape;
        SamplingSteps = samplingSteps;
        Device = device;
    }

    public VelocityMlp Network { get; }

    public VideoShape Shape { get; }

    public int SamplingSteps { get; }

    public Device Device { get; }

    /// <summary>Euler sampling from t = 1 to t = 0; the same seed gives the same videos.</summary>
    public IReadOnlyList<Video> Sample(int count, long seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Network.eval();
        var size = Shape.Channels * Shape.Frames * Shape.Height * Shape.Width;
        using var generator = new Generator((ulong)seed, Device);
        var x = randn(new long[] { count, size }, generator: generator, device: Device);
        var dt = 1f / SamplingSteps;
        for (var i = 0; i < SamplingSteps; i++)
        {
            var t = full(new long[] { count }, 1f - (i * dt), device: Device);
            x = x - (dt * Network.forward(x, t));
        }

        var pixels = ((x.clamp(-1, 1) + 1) / 2).cpu().data<float>().ToArray();
        return Enumerable.Range(0, count).Select(i => new Video(Shape, pixels.AsSpan(i * size, size).ToArray())).ToArray();
    }
}

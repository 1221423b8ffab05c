using Pipeline.Runtime.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Training;

/// <summary>
/// The optimisation loop of the aligners: Adam on the LoRA adapters (<see cref="LoraAdapter"/>) or on every parameter
/// (full fine-tuning), gradient-norm clipping, one dispose scope per step, a clear error when the loss stops being
/// finite, and every step's metrics recorded (and written to a <see cref="StageMetricsLog"/> when one is given).
/// When the loop ends, LoRA adapters are merged into the network's weights.
/// </summary>
public sealed class AlignmentTrainer : IDisposable
{
    private readonly nn.Module network;
    private readonly AlignmentSettings settings;
    private readonly string stage;
    private readonly StageMetricsLog? log;
    private readonly LoraAdapter? lora;
    private readonly IReadOnlyList<Parameter> trainable;
    private readonly optim.Optimizer optimizer;

    public AlignmentTrainer(nn.Module network, AlignmentSettings settings, string stage, StageMetricsLog? log)
    {
        this.network = network;
        this.settings = settings;
        this.stage = stage;
        this.log = log;
        if (settings.Lora is { } l)
        {
            lora = new LoraAdapter(network, l.Rank, l.Alpha, settings.Seed ^ 0x10AA);
            trainable = lora.Parameters;
        }
        else
        {
            trainable = network.parameters().ToArray();
        }

        optimizer = optim.Adam(trainable, settings.LearningRate);
    }

    /// <summary>Number of trained values (the adapters' with LoRA, the network's otherwise).</summary>
    public long TrainableCount => trainable.Sum(p => p.numel());

    /// <summary>"lora" or "full".</summary>
    public string Mode => lora is null ? "full" : "lora";

    /// <summary>Each metric's value at every step ("loss" always).</summary>
    public Dictionary<string, List<double>> Series { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the budget's steps. <paramref name="step"/> builds the step's scalar loss and may add metrics (already
    /// reduced to numbers) to the dictionary it is given.
    /// </summary>
    public void Run(Func<int, Dictionary<string, double>, Tensor> step)
    {
        network.train();
        for (var i = 0; i < settings.Steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            lora?.Apply();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var loss = step(i, metrics);
            loss.backward();
            lora?.Backpropagate();
            if (settings.GradientClip > 0)
            {
                nn.utils.clip_grad_norm_(trainable, settings.GradientClip);
            }

            optimizer.step();
            var value = loss.item<float>();
            if (!float.IsFinite(value))
            {
                throw new PipelineException(RuntimeDiagnosticCodes.TrainingDiverged, $"the training loss became {value} at step {i}; lower the learning rate (lr) of stage '{stage}'.") { Stage = stage };
            }

            metrics["loss"] = value;
            foreach (var (name, number) in metrics)
            {
                if (!Series.TryGetValue(name, out var list))
                {
                    Series[name] = list = new List<double>();
                }

                list.Add(number);
            }

            log?.Write(i, metrics);
        }

        lora?.Merge(network);
        network.eval();
    }

    /// <summary>The mean of a metric over the first or last <paramref name="window"/> steps, rounded.</summary>
    public double Mean(string metric, bool atStart, int window = 20)
    {
        var values = Series[metric];
        var count = Math.Min(window, values.Count);
        return Math.Round((atStart ? values.Take(count) : values.Skip(values.Count - count)).Average(), 6);
    }

    /// <summary>A metric's curve for reports: the means of up to <paramref name="points"/> equal windows of steps.</summary>
    public IReadOnlyList<double> Curve(string metric, int points = 50)
    {
        var values = Series[metric];
        var count = Math.Min(points, values.Count);
        var curve = new double[count];
        for (var i = 0; i < count; i++)
        {
            int from = i * values.Count / count, to = (i + 1) * values.Count / count;
            curve[i] = Math.Round(values.Skip(from).Take(to - from).Average(), 6);
        }

        return curve;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        lora?.Dispose();
    }
}

using Pipeline.Runtime.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// The optimisation loop of the aligners: Adam (<see cref="FlatAdam"/>) on the LoRA adapters (<see cref="LoraAdapter"/>) or on every parameter
/// (full fine-tuning), gradient-norm clipping, one dispose scope per step, a clear error when the loss stops being
/// finite, and every step's metrics recorded (and written to a <see cref="StageMetricsLog"/> when one is given).
/// When the loop ends, LoRA adapters are merged into the network's weights. Like <see cref="AdamTrainer"/>, it
/// checkpoints and resumes when the run checkpoints the stage (<see cref="TrainingCheckpoints"/>): the network, the
/// adapters, Adam's state, the metric series and every random stream handed to <see cref="Track"/>.
/// </summary>
public sealed class AlignmentTrainer : IDisposable
{
    private readonly nn.Module network;
    private readonly AlignmentSettings settings;
    private readonly string stage;
    private readonly StageMetricsLog? log;
    private readonly LoraAdapter? lora;
    private readonly IReadOnlyList<Parameter> trainable;
    private readonly FlatAdam optimizer;
    private readonly List<RandomStream> streams = new();

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

        optimizer = new FlatAdam(trainable, settings.LearningRate);
    }

    /// <summary>Registers a random stream the step function draws from, so that checkpoints save and restore it; returns it (the caller disposes it).</summary>
    public RandomStream Track(RandomStream stream)
    {
        streams.Add(stream);
        return stream;
    }

    /// <summary>Number of trained values (the adapters' with LoRA, the network's otherwise).</summary>
    public long TrainableCount => trainable.Sum(p => p.numel());

    /// <summary>"lora" or "full".</summary>
    public string Mode => lora is null ? "full" : "lora";

    /// <summary>Each metric's value at every step ("loss" always).</summary>
    public Dictionary<string, List<double>> Series { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the budget's steps. <paramref name="step"/> builds the step's scalar loss and may add metrics (already
    /// reduced to numbers) to the dictionary it is given; <paramref name="progress"/> is called after every step with its
    /// index and loss (progress logs, and the benchmarks' per-step clock).
    /// </summary>
    public void Run(Func<int, Dictionary<string, double>, Tensor> step, Action<int, float>? progress = null)
    {
        network.train();
        var checkpoints = TrainingCheckpoints.Current?.NextTrainer(settings.Steps);
        IReadOnlyList<Tensor> adapters = lora?.Parameters ?? [];
        var first = checkpoints?.TryResume(network, adapters, optimizer, streams, ReadSeries) ?? 0;
        for (var i = first; i < settings.Steps; i++)
        {
            FaultInjection.StepDelay();
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            lora?.Apply();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var loss = step(i, metrics);
            loss.backward();
            lora?.Backpropagate();
            if (settings.GradientClip > 0)
            {
                nn.utils.clip_grad_norm_(trainable, settings.GradientClip);
            }

            optimizer.Step();
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
            progress?.Invoke(i, value);
            if (checkpoints?.IsDue(i + 1) == true)
            {
                checkpoints.Save(i + 1, network, adapters, optimizer, streams, WriteSeries);
            }
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

    private void WriteSeries(BinaryWriter writer)
    {
        writer.Write(Series.Count);
        foreach (var (name, values) in Series.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(name);
            writer.Write(values.Count);
            foreach (var value in values)
            {
                writer.Write(value);
            }
        }
    }

    private void ReadSeries(BinaryReader reader)
    {
        Series.Clear();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var values = new List<double>(reader.ReadInt32());
            for (var j = 0; j < values.Capacity; j++)
            {
                values.Add(reader.ReadDouble());
            }

            Series[name] = values;
        }
    }

    public void Dispose()
    {
        optimizer.Dispose();
        lora?.Dispose();
    }
}

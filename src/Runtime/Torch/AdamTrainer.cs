using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// The training loop every stage shares: seeded minibatches, one dispose scope per step, Adam on flat buffers
/// (<see cref="FlatAdam"/>), the loss recorded per step, and a stop with a clear error when the loss stops being finite.
/// When the run checkpoints the stage (<see cref="TrainingCheckpoints.Current"/>), it saves weights, Adam's state, the
/// losses so far and the state of every random stream handed to <see cref="Track"/> periodically, and resumes from the
/// last checkpoint — which is why the step function must draw its randomness only from tracked streams.
/// </summary>
public sealed class AdamTrainer
{
    private readonly nn.Module module;
    private readonly FlatAdam optimizer;
    private readonly List<RandomStream> streams = new();

    /// <summary>Makes every parameter of <paramref name="module"/> a view into Adam's flat buffers (build the module on its device first).</summary>
    public AdamTrainer(nn.Module module, double learningRate)
    {
        this.module = module;
        optimizer = new FlatAdam(module.parameters(), learningRate);
    }

    public List<float> Losses { get; } = new();

    /// <summary>
    /// Registers a random stream the step function draws from, so that checkpoints save and restore its state; returns
    /// it. The caller still owns (disposes) it.
    /// </summary>
    public RandomStream Track(RandomStream stream)
    {
        streams.Add(stream);
        return stream;
    }

    /// <summary>Runs <paramref name="steps"/> steps; <paramref name="loss"/> builds the step's scalar loss.</summary>
    public void Run(int steps, string stage, Func<int, Tensor> loss, Action<int, float>? progress = null)
    {
        module.train();
        var checkpoints = TrainingCheckpoints.Current?.NextTrainer(steps);
        var first = checkpoints?.TryResume(module, [], optimizer, streams, ReadLosses) ?? 0;
        for (var step = first; step < steps; step++)
        {
            FaultInjection.StepDelay();
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var value = loss(step);
            value.backward();
            optimizer.Step();
            var number = value.item<float>();
            if (!float.IsFinite(number))
            {
                throw new PipelineException(RuntimeDiagnosticCodes.TrainingDiverged, $"the training loss became {number} at step {step}; lower the learning rate (lr) of stage '{stage}'.") { Stage = stage };
            }

            Losses.Add(number);
            progress?.Invoke(step, number);
            if (checkpoints?.IsDue(step + 1) == true)
            {
                checkpoints.Save(step + 1, module, [], optimizer, streams, WriteLosses);
            }
        }
    }

    private void WriteLosses(BinaryWriter writer)
    {
        writer.Write(Losses.Count);
        foreach (var loss in Losses)
        {
            writer.Write(loss);
        }
    }

    private void ReadLosses(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        Losses.Clear();
        for (var i = 0; i < count; i++)
        {
            Losses.Add(reader.ReadSingle());
        }
    }

    /// <summary>The mean loss of the first or last <paramref name="window"/> steps, for reports.</summary>
    public double MeanLoss(bool atStart, int window = 10)
    {
        var count = Math.Min(window, Losses.Count);
        var slice = atStart ? Losses.Take(count) : Losses.Skip(Losses.Count - count);
        return Math.Round(slice.Average(), 6);
    }

    /// <summary>The loss curve for reports: the mean loss of up to <paramref name="points"/> equal windows of steps, rounded.</summary>
    public IReadOnlyList<double> Curve(int points = 50)
    {
        var count = Math.Min(points, Losses.Count);
        var curve = new double[count];
        for (var i = 0; i < count; i++)
        {
            int from = i * Losses.Count / count, to = (i + 1) * Losses.Count / count;
            curve[i] = Math.Round(Losses.Skip(from).Take(to - from).Average(), 6);
        }

        return curve;
    }
}

using Pipeline.Runtime.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>How a <see cref="Trainer"/> keeps the record of its steps, in its reports and in its checkpoints.</summary>
/// <remarks>
/// Two records because results.json and the checkpoint format were made with two: one record for every objective
/// would change the pretraining stages' <c>loss_start</c>, <c>loss_end</c> and <c>loss_curve</c> (docs/runtime.md,
/// "Folds for later").
/// </remarks>
public enum TrainingRecord
{
    /// <summary>
    /// The loss only, reported at float32 precision over 10-step windows and checkpointed as float32s: the record of
    /// the pretraining objectives (autoencoder, flow_generator, video_reward, latent_reward).
    /// </summary>
    Losses,

    /// <summary>
    /// Every metric the step reports, reported at float64 precision over 20-step windows and checkpointed as named
    /// float64 series: the aligners' record (flow_sft, flow_rwr, flow_dpo).
    /// </summary>
    Series,
}

/// <summary>
/// The one training loop: one dispose scope per step, Adam on flat buffers (<see cref="FlatAdam"/>), a clear error
/// when the loss stops being finite, every step's metrics recorded (<see cref="TrainingRecord"/>) and written with the
/// learning rate to the stage's <see cref="StageMetricsLog"/> (metrics.jsonl and TensorBoard) when it has one. When the run checkpoints the stage
/// (<see cref="TrainingCheckpoints.Current"/>), it saves the network, the adapters, Adam's state, the record and the
/// state of every random stream handed to <see cref="Track"/> periodically, and resumes from the last checkpoint,
/// which is why an objective's step draws its randomness only from tracked streams.
/// <para>
/// What an objective brings: its step (the loss, and for the aligners the metrics beside it), and for the aligners
/// (<see cref="ForAlignment"/>) LoRA adapters trained instead of the network and merged into it at the end
/// (<see cref="LoraAdapter"/>) and a gradient-norm clip.
/// </para>
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>The learning rate's name in the stage's metrics log.</summary>
    public const string LearningRateMetric = "learning_rate";

    private readonly nn.Module network;
    private readonly double learningRate;
    private readonly string stage;
    private readonly TrainingRecord record;
    private readonly StageMetricsLog? log;
    private readonly LoraAdapter? lora;
    private readonly double gradientClip;
    private readonly IReadOnlyList<Parameter> trainable;
    private readonly FlatAdam optimizer;
    private readonly List<RandomStream> streams = new();

    /// <summary>
    /// Adam on every parameter of <paramref name="network"/> (build it on its device first), which become views into
    /// Adam's flat buffers; the record is the loss (<see cref="TrainingRecord.Losses"/>).
    /// </summary>
    public Trainer(nn.Module network, double learningRate, string stage, StageMetricsLog? log = null)
        : this(network, learningRate, stage, TrainingRecord.Losses, log, lora: null, gradientClip: 0)
    {
    }

    private Trainer(nn.Module network, double learningRate, string stage, TrainingRecord record, StageMetricsLog? log, LoraAdapter? lora, double gradientClip)
    {
        this.network = network;
        this.learningRate = learningRate;
        this.stage = stage;
        this.record = record;
        this.log = log;
        this.lora = lora;
        this.gradientClip = gradientClip;
        trainable = lora?.Parameters ?? network.parameters().ToArray();
        optimizer = new FlatAdam(trainable, learningRate);
    }

    /// <summary>
    /// The aligners' trainer: Adam on LoRA adapters (<see cref="AlignmentSettings.Lora"/>) or on every parameter (full
    /// fine-tuning), the budget's gradient-norm clip, and every metric of the step recorded
    /// (<see cref="TrainingRecord.Series"/>).
    /// </summary>
    public static Trainer ForAlignment(nn.Module network, AlignmentSettings settings, string stage, StageMetricsLog? log)
    {
        var lora = settings.Lora is { } l ? new LoraAdapter(network, l.Rank, l.Alpha, settings.Seed ^ 0x10AA) : null;
        return new Trainer(network, settings.LearningRate, stage, TrainingRecord.Series, log, lora, settings.GradientClip);
    }

    /// <summary>Each metric's value at every step ("loss" always).</summary>
    public Dictionary<string, List<double>> Series { get; } = new(StringComparer.Ordinal);

    /// <summary>The loss of every step so far (a resumed run's included).</summary>
    public IReadOnlyList<double> Losses => Series.TryGetValue("loss", out var losses) ? losses : [];

    /// <summary>Number of trained values (the adapters' with LoRA, the network's otherwise).</summary>
    public long TrainableCount => trainable.Sum(p => p.numel());

    /// <summary>
    /// Registers a random stream the step draws from, so that checkpoints save and restore its state; returns it.
    /// The caller still owns (disposes) it.
    /// </summary>
    public RandomStream Track(RandomStream stream)
    {
        streams.Add(stream);
        return stream;
    }

    /// <summary>Runs <paramref name="steps"/> steps of an objective that reports only its loss.</summary>
    public void Run(int steps, Func<int, Tensor> loss, Action<int, float>? progress = null) => Run(steps, (step, _) => loss(step), progress);

    /// <summary>
    /// Runs <paramref name="steps"/> steps. <paramref name="step"/> builds the step's scalar loss and may add metrics
    /// (already reduced to numbers) to the dictionary it is given (only under <see cref="TrainingRecord.Series"/>);
    /// <paramref name="progress"/> is called after every step with its index and loss (progress displays, and the
    /// benchmarks' per-step clock). The network is left in evaluation mode, with LoRA adapters merged into it.
    /// </summary>
    public void Run(int steps, Func<int, Dictionary<string, double>, Tensor> step, Action<int, float>? progress = null)
    {
        network.train();
        var checkpoints = TrainingCheckpoints.Current?.NextTrainer(steps);
        IReadOnlyList<Tensor> adapters = lora?.Parameters ?? [];
        var first = checkpoints?.TryResume(network, adapters, optimizer, streams, ReadRecord) ?? 0;
        for (var i = 0; i < first; i++)
        {
            // A resumed stage's log starts again; the restored record gives it the steps done before.
            Log(i, Series.Where(p => p.Value.Count > i).ToDictionary(p => p.Key, p => p.Value[i], StringComparer.Ordinal));
        }

        for (var i = first; i < steps; i++)
        {
            FaultInjection.StepDelay();
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            lora?.Apply();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var loss = step(i, metrics);
            loss.backward();
            lora?.Backpropagate();
            if (gradientClip > 0)
            {
                nn.utils.clip_grad_norm_(trainable, gradientClip);
            }

            optimizer.Step();
            var value = loss.item<float>();
            if (!float.IsFinite(value))
            {
                throw RuntimeErrors.TrainingDiverged(stage, value, i);
            }

            if (record == TrainingRecord.Losses && metrics.Count > 0)
            {
                throw new InvalidOperationException($"the loss record keeps no metrics beside the loss, but the step reported {string.Join(", ", metrics.Keys)}");
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

            Log(i, metrics);
            progress?.Invoke(i, value);
            if (checkpoints?.IsDue(i + 1) == true)
            {
                checkpoints.Save(i + 1, network, adapters, optimizer, streams, WriteRecord);
            }
        }

        lora?.Merge(network);
        network.eval();
    }

    /// <summary>
    /// The mean of a metric over the first or last steps, rounded to 6 decimals: over <paramref name="window"/> steps
    /// when one is given (at most every step), else over 10 steps for the loss record and 20 for the series, cut to
    /// half the steps in a shorter run so that the start and the end never share a step; null (too short to tell a
    /// start from an end) when the run has fewer than two steps.
    /// </summary>
    public double? Mean(string metric, bool atStart, int? window = null)
    {
        var values = Series[metric];
        if (window is null && values.Count < 2)
        {
            return null;
        }

        var count = window is { } w ? Math.Min(w, values.Count) : Math.Min(record == TrainingRecord.Losses ? 10 : 20, values.Count / 2);
        return Round((atStart ? values.Take(count) : values.Skip(values.Count - count)).Average());
    }

    /// <summary>The mean loss of the first or last steps, for reports (<see cref="Mean"/>).</summary>
    public double? MeanLoss(bool atStart) => Mean("loss", atStart);

    /// <summary>A metric's change for log lines, <c>0.693147 → 0.512</c> (<see cref="Mean"/>), or that the run was too short to tell.</summary>
    public string Change(string metric = "loss", string? format = null) => Mean(metric, atStart: true) is { } start && Mean(metric, atStart: false) is { } end
        ? $"{start.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} → {end.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}"
        : $"too short to tell ({Series[metric].Count} step{(Series[metric].Count == 1 ? string.Empty : "s")})";

    /// <summary>A metric's curve for reports: the means of up to <paramref name="points"/> equal windows of steps, rounded.</summary>
    public IReadOnlyList<double> Curve(string metric = "loss", int points = 50)
    {
        var values = Series[metric];
        var count = Math.Min(points, values.Count);
        var curve = new double[count];
        for (var i = 0; i < count; i++)
        {
            int from = i * values.Count / count, to = (i + 1) * values.Count / count;
            curve[i] = Round(values.Skip(from).Take(to - from).Average());
        }

        return curve;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        lora?.Dispose();
    }

    /// <summary>One step's metrics and the learning rate to the stage's log, when it has one.</summary>
    private void Log(int step, Dictionary<string, double> metrics)
    {
        if (log is not null)
        {
            metrics[LearningRateMetric] = learningRate;
            log.Write(step, metrics);
        }
    }

    /// <summary>A reported mean, rounded to 6 decimals; the loss record's at float32 precision first, as its losses are.</summary>
    private double Round(double mean) => Math.Round(record == TrainingRecord.Losses ? (float)mean : mean, 6);

    private void WriteRecord(BinaryWriter writer)
    {
        if (record == TrainingRecord.Losses)
        {
            writer.Write(Losses.Count);
            foreach (var loss in Losses)
            {
                writer.Write((float)loss);
            }

            return;
        }

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

    private void ReadRecord(BinaryReader reader)
    {
        Series.Clear();
        if (record == TrainingRecord.Losses)
        {
            var losses = new List<double>(reader.ReadInt32());
            for (var i = 0; i < losses.Capacity; i++)
            {
                losses.Add(reader.ReadSingle());
            }

            Series["loss"] = losses;
            return;
        }

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
}

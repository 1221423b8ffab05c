using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// Adam whose step costs the same few kernels however many parameters a network has. At construction every trained
/// parameter becomes a view into one flat buffer per (dtype, device), and its gradient a view into a matching flat
/// gradient buffer that autograd accumulates into in place; the moments are flat buffers too. A step is then seven
/// element-wise operations on the flat buffers, where TorchSharp's <c>optim.Adam</c> runs them once per parameter (on
/// a GPU, kernel launches per parameter were what kept training steps behind PyTorch's multi-tensor Adam:
/// shared/notes/gpu.md).
/// <para>
/// The mathematics is <c>torch.optim.Adam</c>'s (and TorchSharp's, operation for operation, so a CPU run computes
/// the numbers it computed before): with L2 weight decay λ added to the gradient,
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
/// Every parameter takes every step (a parameter without a gradient has a zero one), which is TorchSharp's behaviour
/// too once gradients exist, since its <c>zero_grad</c> zeroes them in place.
/// </para>
/// </summary>
public sealed class FlatAdam : IDisposable
{
    /// <summary>The name written at the head of the saved state, so another optimiser's state is refused.</summary>
    public const string StateFormat = "FlatAdam1";

    private readonly Group[] groups;
    private readonly double learningRate;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double epsilon;
    private readonly double weightDecay;

    public FlatAdam(IEnumerable<Tensor> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        if (!(learningRate >= 0) || !(beta1 is >= 0 and < 1) || !(beta2 is >= 0 and < 1) || !(epsilon >= 0) || !(weightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"Adam needs lr ≥ 0, 0 ≤ β < 1, ε ≥ 0 and weight decay ≥ 0 (got lr {learningRate}, β {beta1}/{beta2}, ε {epsilon}, weight decay {weightDecay})");
        }

        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        groups = parameters
            .GroupBy(p => (p.dtype, p.device_type, p.device_index))
            .Select(g => new Group(g.ToArray()))
            .ToArray();
    }

    /// <summary>Steps taken (t in the bias corrections).</summary>
    public long Steps { get; private set; }

    /// <summary>The flat parameter buffers, one per (dtype, device); every parameter is a view into one of them.</summary>
    public IReadOnlyList<Tensor> Values => groups.Select(g => g.Values).ToArray();

    /// <summary>The flat gradient buffers, in the order of <see cref="Values"/>.</summary>
    public IReadOnlyList<Tensor> Gradients => groups.Select(g => g.Gradients).ToArray();

    /// <summary>Zeroes every gradient: one operation per flat buffer.</summary>
    public void ZeroGrad()
    {
        foreach (var group in groups)
        {
            group.Gradients.zero_();
        }
    }

    /// <summary>One Adam step on the flat buffers.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Steps++;
        var correction1 = 1 - Math.Pow(beta1, Steps);
        var correction2 = 1 - Math.Pow(beta2, Steps);
        foreach (var group in groups)
        {
            var gradient = weightDecay != 0 ? group.Gradients.add(group.Values, alpha: weightDecay) : group.Gradients;
            group.Average.mul_(beta1).add_(gradient, alpha: 1 - beta1);
            group.Square.mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
            var denominator = (group.Square.sqrt() / Math.Sqrt(correction2)).add_(epsilon);
            group.Values.addcdiv_(group.Average, denominator, value: -(learningRate / correction1));
        }
    }

    /// <summary>Writes the step count and the moments.</summary>
    public void WriteState(BinaryWriter writer)
    {
        writer.Write(StateFormat);
        writer.Write(Steps);
        writer.Write(groups.Length);
        foreach (var group in groups)
        {
            writer.Write(group.Values.numel());
            group.Average.Save(writer);
            group.Square.Save(writer);
        }
    }

    /// <summary>Restores a state written by <see cref="WriteState"/> for the same parameters.</summary>
    public void ReadState(BinaryReader reader)
    {
        var format = reader.ReadString();
        if (format != StateFormat)
        {
            throw new InvalidDataException($"the optimiser state is '{format}', not '{StateFormat}'");
        }

        var steps = reader.ReadInt64();
        if (reader.ReadInt32() != groups.Length)
        {
            throw new InvalidDataException("the optimiser state holds another number of parameter buffers");
        }

        using var noGrad = no_grad();
        foreach (var group in groups)
        {
            if (reader.ReadInt64() != group.Values.numel())
            {
                throw new InvalidDataException("the optimiser state was saved for parameters of another size");
            }

            group.Average.Load(reader);
            group.Square.Load(reader);
        }

        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var group in groups)
        {
            group.Dispose();
        }
    }

    /// <summary>
    /// Where each parameter starts in its flat buffer: at a multiple of 64 bytes, the alignment libtorch's CPU
    /// allocator gives every tensor. BLAS kernels may take other paths (and round differently) for memory aligned
    /// otherwise: with packed parameters a VideoReward model scored its videos one ulp away from the same weights
    /// allocated one by one. The padding between parameters stays zero (its gradient is zero).
    /// </summary>
    public const int Alignment = 64;

    /// <summary>The parameters of one dtype on one device, their flat buffers, and Adam's moments.</summary>
    private sealed class Group : IDisposable
    {
        public Group(IReadOnlyList<Tensor> parameters)
        {
            var first = parameters[0];
            var aligned = Math.Max(1, Alignment / first.element_size());
            var offsets = new long[parameters.Count];
            long total = 0;
            for (var i = 0; i < parameters.Count; i++)
            {
                offsets[i] = total;
                total += (parameters[i].numel() + aligned - 1) / aligned * aligned;
            }

            Values = zeros(total, dtype: first.dtype, device: first.device);
            Gradients = zeros(total, dtype: first.dtype, device: first.device);
            Average = zeros(total, dtype: first.dtype, device: first.device);
            Square = zeros(total, dtype: first.dtype, device: first.device);
            using var noGrad = no_grad();
            for (var i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i];
                var count = parameter.numel();
                using var value = Values.narrow(0, offsets[i], count).view(parameter.shape);
                using var gradient = Gradients.narrow(0, offsets[i], count).view(parameter.shape);
                value.copy_(parameter);
                var same = parameter.set_(value);
                if (!ReferenceEquals(same, parameter))
                {
                    same.Dispose(); // a second handle to the parameter, where TorchSharp makes one
                }

                parameter.grad = gradient;
            }
        }

        public Tensor Values { get; }

        public Tensor Gradients { get; }

        public Tensor Average { get; }

        public Tensor Square { get; }

        public void Dispose()
        {
            Values.Dispose();
            Gradients.Dispose();
            Average.Dispose();
            Square.Dispose();
        }
    }
}

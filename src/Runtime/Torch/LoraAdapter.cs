using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// LoRA on a network's linear and convolution layers (the paper adapts its transformer's q, k, v and o projections
/// with rank 64, alpha 128). Each adapted weight W (out × in·k, a convolution's kernel flattened) becomes
/// W₀ + (alpha / rank)·B·A with A (rank × in·k) initialised as a linear layer's weights (uniform ±1/√(in·k), peft's
/// Kaiming default) and B (out × rank) initialised to zero, so the adapted network starts exactly equal to the base.
/// For a convolution this is peft's conv LoRA (a rank-channel convolution with the layer's kernel followed by a 1×…×1
/// convolution), written as one weight.
/// </summary>
/// <remarks>
/// Only A and B train: every other parameter (biases, embeddings, FiLM and time layers' biases, the null prompt) is
/// frozen. The layer keeps its own weight tensor, which <see cref="Apply"/> overwrites with W₀ + s·B·A before each
/// forward pass; after the backward pass, <see cref="Backpropagate"/> turns the weight's gradient G into the
/// adapters' gradients through s·B·A (∂L/∂A = s·Bᵀ·G, ∂L/∂B = s·G·Aᵀ) with autograd. When training ends the network
/// holds the merged weights (peft's <c>merge_and_unload</c>), so the result is a plain network of the base architecture.
/// A rank at or above min(out, in·k) makes the update full-rank for that layer.
/// </remarks>
public sealed class LoraAdapter : IDisposable
{
    private readonly List<Layer> layers = new();

    public LoraAdapter(nn.Module network, int rank, double alpha, long seed)
    {
        if (rank < 1 || !(alpha > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"LoRA needs rank ≥ 1 and alpha > 0 (got rank {rank}, alpha {alpha})");
        }

        Rank = rank;
        Alpha = alpha;
        Scale = alpha / rank;
        // Drawn on the CPU once, at construction, then moved: the same initial adapters on every device.
        using var random = RandomStream.Create(seed, CPU);
        foreach (var parameter in network.parameters())
        {
            parameter.requires_grad = false;
        }

        foreach (var (name, module) in network.named_modules())
        {
            Parameter? weight = module switch
            {
                Linear linear => linear.weight,
                Conv1d conv => conv.weight,
                Conv2d conv => conv.weight,
                Conv3d conv => conv.weight,
                _ => null,
            };
            if (weight is null)
            {
                continue;
            }

            var output = weight.shape[0];
            var input = weight.numel() / output;
            using var noGrad = no_grad();
            var bound = 1.0 / Math.Sqrt(input);
            var a = ((random.Rand(rank, input) * 2) - 1) * bound;
            var lowA = new Parameter(a.to(weight.device), requires_grad: true);
            var lowB = new Parameter(zeros(new long[] { output, rank }, device: weight.device), requires_grad: true);
            a.Dispose();
            weight.requires_grad = true;
            layers.Add(new Layer(name, weight, weight.detach().clone(), lowA, lowB));
        }

        if (layers.Count == 0)
        {
            throw new ArgumentException($"{network.GetType().Name} has no linear or convolution layer to adapt", nameof(network));
        }
    }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>alpha / rank.</summary>
    public double Scale { get; }

    /// <summary>The adapted layers' names.</summary>
    public IReadOnlyList<string> LayerNames => layers.Select(l => l.Name).ToArray();

    /// <summary>The trainable parameters: every A and B.</summary>
    public IReadOnlyList<Parameter> Parameters => layers.SelectMany(l => new[] { l.A, l.B }).ToArray();

    /// <summary>Number of trainable values.</summary>
    public long TrainableCount => layers.Sum(l => l.A.numel() + l.B.numel());

    /// <summary>Writes W₀ + s·B·A into every adapted layer's weight (no graph is recorded).</summary>
    public void Apply()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var layer in layers)
        {
            layer.Weight.copy_(layer.Base + (Scale * layer.B.mm(layer.A)).view(layer.Weight.shape));
        }
    }

    /// <summary>
    /// After <c>loss.backward()</c>: accumulates ∂L/∂A and ∂L/∂B from the adapted weights' gradients, then clears those.
    /// </summary>
    public void Backpropagate()
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var layer in layers)
        {
            var gradient = layer.Weight.grad;
            if (gradient is null)
            {
                continue;
            }

            var term = ((Scale * layer.B.mm(layer.A)) * gradient.detach().reshape(layer.B.shape[0], -1)).sum();
            total = total is null ? term : total + term;
        }

        total?.backward();
        foreach (var layer in layers)
        {
            layer.Weight.grad?.zero_();
        }
    }

    /// <summary>Merges the adapters into the weights and makes every parameter of the network trainable again.</summary>
    public void Merge(nn.Module network)
    {
        Apply();
        foreach (var parameter in network.parameters())
        {
            parameter.requires_grad = true;
        }
    }

    public void Dispose()
    {
        foreach (var layer in layers)
        {
            layer.Base.Dispose();
            layer.A.Dispose();
            layer.B.Dispose();
        }

        layers.Clear();
    }

    private sealed record Layer(string Name, Parameter Weight, Tensor Base, Parameter A, Parameter B);
}

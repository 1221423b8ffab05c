using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>Deep copies of the velocity networks, for aligners that fine-tune a copy while the original stays the frozen reference.</summary>
public static class VelocityNetworks
{
    /// <summary>A new network of the same architecture with a copy of every parameter and buffer, on <paramref name="device"/>.</summary>
    public static nn.Module<Tensor, Tensor, Tensor, Tensor> Clone(nn.Module<Tensor, Tensor, Tensor, Tensor> network, Device device)
    {
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        nn.Module<Tensor, Tensor, Tensor, Tensor> copy = network switch
        {
            VelocityConvNet conv => new VelocityConvNet(conv.Latent, conv.Width),
            VelocityMlp => new VelocityMlp((int)parameters["output.weight"].shape[0], (int)parameters["hidden.weight"].shape[0]),
            _ => throw new NotSupportedException($"cannot copy a {network.GetType().Name}; aligners support VelocityConvNet and VelocityMlp"),
        };
        copy.to(device);
        using var noGrad = no_grad();
        var target = copy.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        foreach (var (name, parameter) in parameters)
        {
            target[name].copy_(parameter);
        }

        var buffers = copy.named_buffers().ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
        foreach (var (name, buffer) in network.named_buffers())
        {
            buffers[name].copy_(buffer);
        }

        return copy;
    }
}

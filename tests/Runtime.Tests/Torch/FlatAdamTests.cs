using Pipeline.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Torch;

/// <summary>
/// <see cref="FlatAdam"/>: the structure (every parameter a view into one flat buffer, the gradients too, so a step's
/// work does not grow with the number of parameters) and the numbers (TorchSharp's own Adam, which follows
/// <c>torch.optim.Adam</c>, over 100 steps).
/// </summary>
public sealed class FlatAdamTests
{
    [Fact]
    public void Every_parameter_and_its_gradient_is_a_view_into_one_flat_buffer()
    {
        using var network = TwoLayers(seed: 1);
        var before = network.parameters().Select(p => p.data<float>().ToArray()).ToArray();
        using var adam = new FlatAdam(network.parameters(), 1e-3);

        var parameters = network.parameters().ToArray();
        var flat = Assert.Single(adam.Values);
        var gradients = Assert.Single(adam.Gradients);
        // Each parameter starts at a multiple of 64 bytes (16 floats), as libtorch allocates tensors: 4×5 = 20 weights
        // take 32 places, 5 biases 16, 5×2 = 10 weights 16, 2 biases 16.
        Assert.Equal(32 + 16 + 16 + 16, flat.numel());
        for (var i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(before[i], parameters[i].data<float>().ToArray());
            Assert.True(parameters[i].requires_grad);
        }

        // Shared memory, not copies: numbers written into the flat buffers are what every parameter and gradient reads.
        using (no_grad())
        {
            flat.copy_(arange(flat.numel(), dtype: ScalarType.Float32));
            gradients.copy_(-arange(flat.numel(), dtype: ScalarType.Float32));
        }

        var offsets = new long[] { 0, 32, 48, 64 };
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var expected = Enumerable.Range((int)offsets[i], (int)p.numel()).Select(v => (float)v).ToArray();
            Assert.Equal(offsets[i], p.storage_offset());
            Assert.Equal(expected, p.data<float>().ToArray());
            Assert.Equal(expected.Select(v => -v).ToArray(), p.grad!.data<float>().ToArray());
        }

        // Backward accumulates into the flat gradient buffer in place; a step writes through to the module.
        using (no_grad())
        {
            flat.zero_();
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].copy_(tensor(before[i]).view(parameters[i].shape));
            }
        }

        adam.ZeroGrad();
        using (var loss = network.forward(ones(3, 4)).sum())
        {
            loss.backward();
        }

        Assert.True(gradients.abs().sum().item<float>() > 0);
        Assert.Equal(gradients.narrow(0, 0, parameters[0].numel()).data<float>().ToArray(), parameters[0].grad!.data<float>().ToArray());
        var beforeStep = parameters[0].data<float>().ToArray();
        adam.Step();
        Assert.NotEqual(beforeStep, parameters[0].data<float>().ToArray());
        Assert.Equal(flat.narrow(0, 0, parameters[0].numel()).data<float>().ToArray(), parameters[0].data<float>().ToArray());
        adam.ZeroGrad();
        Assert.Equal(0f, gradients.abs().sum().item<float>());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Hundred_steps_match_TorchSharps_Adam(double weightDecay)
    {
        using var flatNetwork = TwoLayers(seed: 7);
        using var referenceNetwork = TwoLayers(seed: 7);
        using var flat = new FlatAdam(flatNetwork.parameters(), 0.01, weightDecay: weightDecay);
        using var reference = optim.Adam(referenceNetwork.parameters(), 0.01, weight_decay: weightDecay);
        using var inputs = RandomStream.Create(3, CPU);

        for (var step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            var x = inputs.Randn(8, 4);
            var target = inputs.Randn(8, 2);
            flat.ZeroGrad();
            nn.functional.mse_loss(flatNetwork.forward(x), target).backward();
            flat.Step();
            reference.zero_grad();
            nn.functional.mse_loss(referenceNetwork.forward(x), target).backward();
            reference.step();
        }

        var ours = flatNetwork.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        var theirs = referenceNetwork.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        Assert.Equal(theirs.Length, ours.Length);
        for (var i = 0; i < ours.Length; i++)
        {
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-6, $"value {i}: {ours[i]} vs {theirs[i]}");
        }
    }

    [Fact]
    public void One_step_follows_the_closed_form()
    {
        // One parameter θ = 1 with gradient g = 2 (loss 2θ), lr 0.1, β = (0.9, 0.999), ε = 1e-8:
        // m = 0.2, v = 0.004, m̂ = 2, v̂ = 4, θ ← 1 − 0.1 · 2 / (2 + 1e-8) = 0.9 (to float precision).
        using var theta = new TorchSharp.Modules.Parameter(tensor(new[] { 1f }));
        using var adam = new FlatAdam(new[] { theta }, 0.1);
        (theta * 2).sum().backward();
        adam.Step();
        Assert.Equal(0.9f, theta.data<float>()[0], 6);
        Assert.Equal(1, adam.Steps);
    }

    [Fact]
    public void The_state_round_trips_and_another_optimisers_state_is_refused()
    {
        using var network = TwoLayers(seed: 2);
        using var adam = new FlatAdam(network.parameters(), 0.01);
        network.forward(ones(3, 4)).sum().backward();
        adam.Step();
        using var saved = new MemoryStream();
        using (var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            adam.WriteState(writer);
        }

        using var other = TwoLayers(seed: 2);
        using var restored = new FlatAdam(other.parameters(), 0.01);
        saved.Position = 0;
        using (var reader = new BinaryReader(saved, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            restored.ReadState(reader);
        }

        Assert.Equal(1, restored.Steps);

        using var wrong = new MemoryStream();
        using (var writer = new BinaryWriter(wrong, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("Adam");
        }

        wrong.Position = 0;
        using var wrongReader = new BinaryReader(wrong);
        var error = Assert.Throws<InvalidDataException>(() => restored.ReadState(wrongReader));
        Assert.Contains("FlatAdam1", error.Message, StringComparison.Ordinal);
    }

    private static nn.Module<Tensor, Tensor> TwoLayers(long seed)
    {
        RandomStream.SeedInitialisation(seed);
        return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2));
    }
}

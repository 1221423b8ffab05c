using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Alignment;

public sealed class LoraAdapterTests
{
    [Fact]
    public void At_initialisation_the_adapted_network_equals_the_base()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var latent = new LatentShape(2, 2, 4, 4);
        var network = new VelocityConvNet(latent, 8);
        var (x, t, tokens) = Inputs(latent, 4);
        Tensor before;
        using (no_grad())
        {
            before = network.forward(x, t, tokens);
        }

        using var lora = new LoraAdapter(network, rank: 4, alpha: 8, seed: 1);
        lora.Apply();
        using (no_grad())
        {
            var after = network.forward(x, t, tokens);
            Assert.Equal(0f, (after - before).abs().max().item<float>());
        }

        // Every linear and conv layer is adapted: 2 + 2 + 3·3 linear/conv layers in the blocks + input and output convs.
        Assert.Contains("input", lora.LayerNames);
        Assert.Contains("output", lora.LayerNames);
        Assert.Equal(2 + 2 + (3 * VelocityConvNet.Blocks), lora.LayerNames.Count);
    }

    [Fact]
    public void Adapter_gradients_are_the_chain_rule_through_the_low_rank_update()
    {
        // One linear layer y = x Wᵀ, loss = Σ y ⇒ G = ∂L/∂W = 1·Σ_b x_b (every row); ∂L/∂A = s·Bᵀ·G, ∂L/∂B = s·G·Aᵀ.
        using var scope = NewDisposeScope();
        var module = nn.Sequential(("layer", nn.Linear(3, 2, hasBias: false)));
        using var lora = new LoraAdapter(module, rank: 2, alpha: 4, seed: 5);
        var a = lora.Parameters[0];
        var b = lora.Parameters[1];
        using (no_grad())
        {
            b.copy_(tensor(new[] { 1f, 2f, -1f, 0.5f }, new long[] { 2, 2 }));
        }

        lora.Apply();
        var x = tensor(new[] { 1f, 2f, 3f, -1f, 0f, 1f }, new long[] { 2, 3 });
        module.forward(x).sum().backward();
        var g = x.sum(new long[] { 0 }).unsqueeze(0).repeat(2, 1);
        lora.Backpropagate();
        var s = 4.0 / 2;
        AssertClose(s * b.detach().t().mm(g), a.grad!);
        AssertClose(s * g.mm(a.detach().t()), b.grad!);
    }

    [Fact]
    public void Only_the_adapters_train_and_the_merged_update_has_at_most_the_rank()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var network = new VelocityMlp(12, 16);
        var original = Snapshot(network);
        var (x, t, tokens) = Inputs(new LatentShape(3, 1, 2, 2), 8);
        var target = randn(x.shape);
        var rank = 2;
        var settings = new AlignmentSettings(Steps: 20, Batch: 8, LearningRate: 1e-2, Lora: new LoraSettings(rank, 4), Seed: 9);
        using (var trainer = Trainer.ForAlignment(network, settings, "test", log: null))
        {
            // input 60 → 16, hidden 16 → 16, output 16 → 12: A is rank × in, B is out × rank (the prompt embedding is not adapted).
            Assert.Equal(rank * ((60 + 16) + (16 + 16) + (16 + 12)), trainer.TrainableCount);
            trainer.Run(settings.Steps, (_, _) => (network.forward(x, t, tokens) - target).pow(2).mean());
            Assert.True(trainer.Series["loss"][^1] < trainer.Series["loss"][0]);
        }

        var after = Snapshot(network);
        var changed = 0;
        foreach (var (name, before) in original)
        {
            var delta = after[name] - before;
            if (!name.EndsWith(".weight", StringComparison.Ordinal) || name.StartsWith("prompt.", StringComparison.Ordinal))
            {
                Assert.True(delta.abs().max().item<float>() == 0, $"{name} is not a LoRA-adapted weight but changed");
                continue;
            }

            changed++;
            Assert.True(delta.abs().max().item<float>() > 0, $"{name} did not change");
            Assert.True(linalg.matrix_rank(delta.reshape(delta.shape[0], -1)).item<long>() <= rank, $"{name}'s update has a rank above {rank}");
        }

        Assert.Equal(3, changed);
        Assert.All(network.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Full_fine_tuning_trains_every_parameter()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var network = new VelocityMlp(12, 16);
        var original = Snapshot(network);
        var (x, t, tokens) = Inputs(new LatentShape(3, 1, 2, 2), 8);
        var target = randn(x.shape);
        var settings = new AlignmentSettings(Steps: 5, Batch: 8, LearningRate: 1e-2, Lora: null, Seed: 9);
        using (var trainer = Trainer.ForAlignment(network, settings, "test", log: null))
        {
            Assert.Equal(network.parameters().Sum(p => p.numel()), trainer.TrainableCount);
            trainer.Run(settings.Steps, (_, _) => (network.forward(x, t, tokens) - target).pow(2).mean());
        }

        var after = Snapshot(network);
        Assert.Contains(original, p => p.Key.EndsWith(".bias", StringComparison.Ordinal) && (after[p.Key] - p.Value).abs().max().item<float>() > 0);
    }

    [Fact]
    public void A_clone_is_an_independent_copy_with_the_same_outputs()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var latent = new LatentShape(2, 2, 4, 4);
        var network = new VelocityConvNet(latent, 8);
        var copy = VelocityNetworks.Clone(network, CPU);
        var (x, t, tokens) = Inputs(latent, 3);
        using (no_grad())
        {
            Assert.Equal(0f, (copy.forward(x, t, tokens) - network.forward(x, t, tokens)).abs().max().item<float>());
            copy.named_parameters().First(p => p.name == "input.weight").parameter.add_(1);
            Assert.True((copy.forward(x, t, tokens) - network.forward(x, t, tokens)).abs().max().item<float>() > 0);
        }
    }

    private static (Tensor X, Tensor T, Tensor Tokens) Inputs(LatentShape latent, int batch)
    {
        var x = randn(new long[] { batch, latent.Channels, latent.Frames, latent.Height, latent.Width });
        var t = rand(new long[] { batch });
        var tokens = PromptTokens.Encode(Enumerable.Range(0, batch).Select(i => $"a red ball moving left {i}").ToArray(), CPU);
        return (x, t, tokens);
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module network) =>
        network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone(), StringComparer.Ordinal);

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"max difference {difference}");
    }
}

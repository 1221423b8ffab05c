using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>Module states for the model-file tests: compared bit for bit, or drawn anew.</summary>
internal static class ModuleStates
{
    /// <summary>The same state entries, each of the same dtype, shape and bits.</summary>
    public static bool SameState(nn.Module a, nn.Module b)
    {
        var left = a.state_dict();
        var right = b.state_dict();
        return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var other) && p.Value.dtype == other.dtype && p.Value.shape.SequenceEqual(other.shape)
            && p.Value.cpu().bytes.SequenceEqual(other.cpu().bytes));
    }

    /// <summary>Every floating state entry (buffers too) drawn anew, so no part stays at an initial value a loader would also give.</summary>
    public static T Randomized<T>(T module, Random random)
        where T : nn.Module
    {
        using var noGrad = no_grad();
        foreach (var (_, state) in module.state_dict())
        {
            if (state.is_floating_point())
            {
                var values = Enumerable.Range(0, (int)state.numel()).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                state.copy_(tensor(values, state.shape));
            }
        }

        return module;
    }
}

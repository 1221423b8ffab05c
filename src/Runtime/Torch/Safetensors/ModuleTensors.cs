using System.Text;
using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>
/// A TorchSharp module's state (parameters and buffers) under the names its PyTorch mirror
/// (<c>python/pipeline_models.py</c>) gives them, so <c>load_state_dict</c> takes a file's tensors as they are.
/// TorchSharp names a registered field as it is written (<c>timeInput.weight</c>, <c>first.0.bias</c>); PyTorch code
/// writes attributes in snake_case, so each dotted part becomes snake_case (<c>time_input.weight</c>); a part made of
/// file tensors carries a prefix (<c>velocity.</c>, <c>autoencoder.</c>).
/// </summary>
public static class ModuleTensors
{
    /// <summary>camelCase → snake_case, part by part: <c>timeInput.weight</c> → <c>time_input.weight</c>.</summary>
    public static string PythonName(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    /// <summary>The module's state as (file name, tensor) pairs, in TorchSharp's order, each name prefixed.</summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> Collect(nn.Module module, string prefix = "")
    {
        var named = module.state_dict().Select(p => (Name: prefix + PythonName(p.Key), Tensor: p.Value)).ToArray();
        var repeated = named.GroupBy(n => n.Name).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new InvalidOperationException($"{module.GetType().Name}: two state entries map to the tensor name '{repeated.Key}'");
        }

        return named;
    }

    /// <summary>
    /// Copies the file's tensors named <paramref name="prefix"/> + (state name) into the module's parameters and buffers,
    /// in place and without recording gradients. Every state entry must be in the file with its shape and dtype, and
    /// the file may hold no other tensor under the prefix (as PyTorch's <c>load_state_dict(strict=True)</c>).
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string path, string prefix = "")
    {
        var expected = Collect(module, prefix);
        using (no_grad())
        {
            foreach (var (name, target) in expected)
            {
                if (!tensors.TryGetValue(name, out var source))
                {
                    throw Mismatch(path, $"tensor '{name}' is missing (the network has it, with shape {Format(target.shape)})");
                }

                if (source.dtype != target.dtype)
                {
                    throw Mismatch(path, $"tensor '{name}' is {SafetensorsFile.DTypeName(source.dtype)}; the network's is {SafetensorsFile.DTypeName(target.dtype)}");
                }

                if (!source.shape.SequenceEqual(target.shape))
                {
                    throw Mismatch(path, $"tensor '{name}' has shape {Format(source.shape)}; the network's has {Format(target.shape)} (the metadata's hyperparameters and the tensors disagree)");
                }

                target.copy_(source);
            }
        }

        var known = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !known.Contains(k)).Order(StringComparer.Ordinal).ToArray();
        if (unexpected.Length > 0)
        {
            throw Mismatch(path, $"the network has no tensor named {string.Join(", ", unexpected.Take(5).Select(u => $"'{u}'"))}{(unexpected.Length > 5 ? $" (and {unexpected.Length - 5} more)" : string.Empty)}");
        }
    }

    /// <summary>Fails when the file holds a tensor under none of <paramref name="prefixes"/> (a part the kind does not have).</summary>
    public static void RequireOnly(IReadOnlyDictionary<string, Tensor> tensors, string path, params string[] prefixes)
    {
        var stray = tensors.Keys.FirstOrDefault(k => !prefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal)));
        if (stray is not null)
        {
            throw Mismatch(path, $"tensor '{stray}' belongs to no part of this model (its tensors start with {string.Join(" or ", prefixes.Select(p => $"'{p}'"))})");
        }
    }

    private static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static PipelineException Mismatch(string path, string what) =>
        new(RuntimeDiagnosticCodes.ModelTensorMismatch, $"{path}: {what}.");
}

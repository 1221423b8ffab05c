namespace Pipeline.Dsl.Diagnostics;

/// <summary>Small pieces of English that diagnostic messages share, so that none reads "1 item(s)".</summary>
public static class Wording
{
    /// <summary>"1 item", "3 items": the count and the noun, plural unless the count is one.</summary>
    public static string Count(long count, string noun) => $"{count} {Noun(count, noun)}";

    /// <summary>The noun alone, plural unless <paramref name="count"/> is one ("the dimension TA", "the dimensions MQ, TA").</summary>
    public static string Noun(long count, string noun) => count == 1 ? noun : noun + "s";
}

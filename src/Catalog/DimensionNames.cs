namespace Pipeline.Catalog;

/// <summary>
/// The one list of the preference dimensions (the paper's VQ, MQ and TA, and Overall derived from them), which the
/// catalogue's types, the compiler's checks and the runtime's models, metrics and files all read.
/// </summary>
public static class DimensionNames
{
    /// <summary>The dimensions a preference is rated in: visual quality, motion quality, text alignment.</summary>
    public static IReadOnlyList<string> Rated { get; } = ["VQ", "MQ", "TA"];

    /// <summary>The derived dimension: the mean of a judge's z-normalised scores of <see cref="Rated"/>.</summary>
    public const string Overall = "Overall";

    /// <summary><see cref="Rated"/> then <see cref="Overall"/>: the columns of a pair file and of reward-bench results.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Rated, Overall];

    /// <summary>Whether a dimension is one of <see cref="Rated"/>.</summary>
    public static bool IsRated(string dimension) => Rated.Contains(dimension, StringComparer.Ordinal);
}

using Pipeline.Catalog;

namespace Pipeline.Runtime.Data;

/// <summary>
/// The one winner vote of a preference pair (a pair set's <c>.winners</c>, Flow-DPO's winners and losers): the sum of
/// its labels h ∈ {+1 (A), −1 (B), 0 (tie)} over the rated dimensions, which are every labelled dimension but
/// Overall, or Overall when it is the only one (pairs relabelled by a reward). A positive vote makes A the winner, a
/// negative one B; a vote of 0 gives no winner.
/// </summary>
public static class PreferenceVote
{
    /// <summary>The dimensions that vote among <paramref name="labelled"/>; <paramref name="name"/> gives each one's name.</summary>
    public static IReadOnlyList<T> Rated<T>(IReadOnlyList<T> labelled, Func<T, string> name) =>
        labelled.Any(d => name(d) != DimensionNames.Overall) ? labelled.Where(d => name(d) != DimensionNames.Overall).ToArray() : labelled;

    /// <summary>The vote of the rated dimensions' labels (an unknown label counts 0).</summary>
    public static int Of(IEnumerable<int> labels) => labels.Sum();
}

namespace Pipeline.Dsl.Diagnostics;

/// <summary>"Did you mean" suggestions by edit distance, for the parser's and the compiler's diagnostics alike.</summary>
public static class Suggestions
{
    /// <summary>" (did you mean 'x'?)" for the closest candidate within a third of its length, else empty.</summary>
    public static string DidYouMean(string word, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(word, c)))
            .Where(c => c.Distance <= Math.Max(1, c.Candidate.Length / 3))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Select(c => c.Candidate)
            .FirstOrDefault();
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    /// <summary>
    /// " (did you mean 'x'?)" when a candidate is close, else ": a, b, c" listing every candidate, so that a message
    /// names the valid choices either way; empty when there are no candidates.
    /// </summary>
    public static string DidYouMeanOrList(string word, IEnumerable<string> candidates)
    {
        var all = candidates.ToList();
        var close = DidYouMean(word, all);
        return close.Length > 0 || all.Count == 0 ? close : ": " + string.Join(", ", all);
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions cost 1.</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

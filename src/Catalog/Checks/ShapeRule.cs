namespace Pipeline.Catalog.Checks;

/// <summary>
/// What the compiler's checks know of a stage's artifact beyond its type, and where each fact comes from: the
/// dimensions it labels or scores, its tie policy, whether a latent reward is noise-aware, and the frames and
/// resolution of its videos (PreferencePairs⟨dims, ties⟩, RewardModel⟨dims⟩, LatentRewardModel⟨dims, noisy⟩). A fact
/// left null is unknown, and the checks that need it are skipped.
/// </summary>
public sealed record ShapeRule
{
    public ShapeSource? Dimensions { get; init; }

    public ShapeSource? Ties { get; init; }

    public ShapeSource? Noisy { get; init; }

    public ShapeSource? Frames { get; init; }

    public ShapeSource? Resolution { get; init; }
}

/// <summary>Where a fact of an artifact's shape comes from.</summary>
public abstract record ShapeSource;

/// <summary>The value of the stage's own property: <c>dimensions = [VQ, TA]</c>, <c>ties = drop</c>, <c>noisy = true</c>.</summary>
public sealed record FromProperty(string Property) : ShapeSource;

/// <summary>The same fact of the input the stage's property references: a reward's dimensions are its training pairs'.</summary>
public sealed record FromInput(string Property) : ShapeSource;

/// <summary>Always these words: a synthetic world rates every dimension.</summary>
public sealed record Always(IReadOnlyList<string> Words) : ShapeSource;

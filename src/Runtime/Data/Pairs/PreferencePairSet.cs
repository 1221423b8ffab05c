using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Data.Pairs;

/// <summary>A split of a pair set into training and evaluation pairs.</summary>
/// <param name="Train">The training pairs.</param>
/// <param name="Eval">The evaluation pairs; their prompts never occur in <paramref name="Train"/>.</param>
public sealed record PreferencePairSplit(PreferencePairSet Train, PreferencePairSet Eval);

/// <summary>
/// A set of preference pairs whose videos share one shape, with the dimensions it labels and its extra columns.
/// It becomes an ML.NET <see cref="IDataView"/> with <see cref="ToDataView"/>.
/// </summary>
public sealed partial class PreferencePairSet
{
    /// <summary>A pair set; every pair must label every dimension in <paramref name="dimensions"/>.</summary>
    public PreferencePairSet(VideoShape shape, IReadOnlyList<PreferenceDimension> dimensions, IReadOnlyList<string> extraColumns, IReadOnlyList<PreferencePair> pairs)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(extraColumns);
        ArgumentNullException.ThrowIfNull(pairs);
        shape.Validate();
        if (dimensions.Count == 0 || dimensions.Distinct().Count() != dimensions.Count)
        {
            throw new ArgumentException("A pair set labels at least one dimension, each once.", nameof(dimensions));
        }

        foreach (var pair in pairs)
        {
            foreach (var dimension in dimensions)
            {
                if (!pair.Labels.ContainsKey(dimension))
                {
                    throw new ArgumentException($"{pair.Origin}: the pair has no {dimension} label.", nameof(pairs));
                }
            }
        }

        Shape = shape;
        Dimensions = dimensions.ToArray();
        ExtraColumns = extraColumns.ToArray();
        Pairs = pairs;
    }

    /// <summary>The shape of every video.</summary>
    public VideoShape Shape { get; }

    /// <summary>The labelled dimensions, in column order.</summary>
    public IReadOnlyList<PreferenceDimension> Dimensions { get; }

    /// <summary>The frame rate the videos were decoded at from their files (<see cref="VideoSampling"/>); null for rendered ones.</summary>
    public double? Fps { get; init; }

    /// <summary>Extra columns kept from the source (text).</summary>
    public IReadOnlyList<string> ExtraColumns { get; }

    /// <summary>The pairs.</summary>
    public IReadOnlyList<PreferencePair> Pairs { get; }

    /// <summary>Whether every pair has target scores for every kept dimension (then the data view has MOS_A_/MOS_B_ columns).</summary>
    public bool HasTargets => Pairs.Count > 0 && Pairs.All(p =>
        p.TargetsA is not null && p.TargetsB is not null && Dimensions.All(d => p.TargetsA.ContainsKey(d) && p.TargetsB.ContainsKey(d)));

    /// <summary>Number of pairs.</summary>
    public int Count => Pairs.Count;

    /// <summary>
    /// The rated dimensions: <see cref="Dimensions"/> without Overall, which world pairs carry beside VQ, MQ and TA so
    /// that reward accuracy can be reported for it; a set that labels only Overall (relabelled by a reward) is rated
    /// by it. Winners and tie dropping vote over these only.
    /// </summary>
    public IReadOnlyList<PreferenceDimension> RatedDimensions => PreferenceVote.Rated(Dimensions, d => d.ToString());

    /// <summary>
    /// Pairs from the synthetic world (<c>world.pairs(count: N)</c>), keeping <paramref name="dimensions"/> and the
    /// annotator's Overall label (which <see cref="RatedDimensions"/> leaves out). The
    /// extras are the generators' indices (generator_A, generator_B), for analysis only; the targets are the oracle's
    /// z-scores of each video.
    /// </summary>
    public static PreferencePairSet FromWorld(SyntheticWorld world, IReadOnlyList<SyntheticPair> pairs, IReadOnlyList<PreferenceDimension> dimensions)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(pairs);
        dimensions = dimensions.Where(d => d != PreferenceDimension.Overall).Append(PreferenceDimension.Overall).ToArray();
        var converted = pairs.Select(p => new PreferencePair(
            p.Prompt.Text,
            new RenderedVideo(world, p.Prompt, p.GeneratorA, p.RenderSeedA),
            new RenderedVideo(world, p.Prompt, p.GeneratorB, p.RenderSeedB),
            dimensions.ToDictionary(d => d, d => p.Labels[d]),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["generator_A"] = p.GeneratorA.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["generator_B"] = p.GeneratorB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            $"world pair {p.Index}")
        {
            TargetsA = dimensions.ToDictionary(d => d, d => (float)p.ScoresA[d]),
            TargetsB = dimensions.ToDictionary(d => d, d => (float)p.ScoresB[d]),
        }).ToArray();
        return new PreferencePairSet(world.Shape, dimensions, ["generator_A", "generator_B"], converted);
    }

    /// <summary>Reads a CSV or JSONL pair file (see <see cref="PairFileReader"/>).</summary>
    public static PreferencePairSet Load(string path, IReadOnlyList<PreferenceDimension> dimensions, VideoSampling sampling) =>
        PairFileReader.Read(path, dimensions, sampling);

    /// <summary>Keeps every pair, or drops the pairs whose kept dimensions are all ties.</summary>
    public PreferencePairSet WithTies(TieHandling ties) => ties == TieHandling.Keep
        ? this
        : With(Pairs.Where(p => RatedDimensions.Any(d => p.Labels[d] != PreferenceLabel.Tie)).ToArray());

    /// <summary>
    /// Splits by prompt, shuffled with <paramref name="seed"/>: prompts are taken in a random order and all pairs of a
    /// prompt go to training until training holds round(<paramref name="train"/> · N) pairs or more; the remaining
    /// prompts' pairs form the evaluation set. As in the paper's validation set, evaluation prompts never appear in
    /// training. Within each part the pairs are shuffled too.
    /// </summary>
    /// <exception cref="PipelineException">PIPE4110 when a fraction is outside [0, 1] or they do not sum to 1.</exception>
    public PreferencePairSplit Split(double train, double eval, int seed)
    {
        if (!(train >= 0 && train <= 1 && eval >= 0 && eval <= 1) || Math.Abs(train + eval - 1) > 1e-9)
        {
            throw new PipelineException(DataDiagnosticCodes.InvalidSplit,
                $"split = {{ train: {train}, eval: {eval} }}: each fraction is in [0, 1] and they sum to 1.");
        }

        var rng = new SeededRandom(seed, 0x5E11);
        var prompts = Pairs.Select(p => p.Prompt).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        rng.Shuffle(prompts);
        var byPrompt = Pairs.GroupBy(p => p.Prompt, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var target = (int)Math.Round(train * Count, MidpointRounding.AwayFromZero);
        var trainPairs = new List<PreferencePair>();
        var evalPairs = new List<PreferencePair>();
        foreach (var prompt in prompts)
        {
            (trainPairs.Count < target ? trainPairs : evalPairs).AddRange(byPrompt[prompt]);
        }

        rng.Shuffle(trainPairs);
        rng.Shuffle(evalPairs);
        return new PreferencePairSplit(With(trainPairs), With(evalPairs));
    }

    /// <summary>The pairs in a random order fixed by <paramref name="seed"/>.</summary>
    public PreferencePairSet Shuffle(int seed)
    {
        var shuffled = Pairs.ToList();
        new SeededRandom(seed, 0x5EF1E).Shuffle(shuffled);
        return With(shuffled);
    }

    /// <summary>
    /// <c>.winners</c>: the preferred video of each pair with a winner under <paramref name="dimensions"/> (the rated
    /// dimensions when null; <see cref="PreferenceVote"/>).
    /// </summary>
    public VideoSet Winners(IReadOnlyList<PreferenceDimension>? dimensions = null) =>
        new(Shape, Decided(dimensions).Select(d => new PromptedVideo(d.Pair.Prompt, d.Winner.Load())).ToArray());

    /// <summary>
    /// The pairs with a winner under <paramref name="dimensions"/> (the rated dimensions when null), in order, with
    /// their winner and loser by the vote of their labels (<see cref="PreferenceVote"/>).
    /// </summary>
    public IEnumerable<(PreferencePair Pair, VideoSource Winner, VideoSource Loser)> Decided(IReadOnlyList<PreferenceDimension>? dimensions = null)
    {
        dimensions ??= RatedDimensions;
        foreach (var dimension in dimensions)
        {
            if (!Dimensions.Contains(dimension))
            {
                throw new ArgumentException($"The pair set has no {dimension} labels; it labels {string.Join(", ", Dimensions)}.", nameof(dimensions));
            }
        }

        return Votes(dimensions);
    }

    /// <summary>The pairs as an ML.NET data view (columns in <see cref="PreferencePairColumns"/>).</summary>
    public IDataView ToDataView() => new PreferencePairDataView(this);

    private PreferencePairSet With(IReadOnlyList<PreferencePair> pairs) => new(Shape, Dimensions, ExtraColumns, pairs) { Fps = Fps };

    private IEnumerable<(PreferencePair Pair, VideoSource Winner, VideoSource Loser)> Votes(IReadOnlyList<PreferenceDimension> dimensions)
    {
        foreach (var pair in Pairs)
        {
            var vote = PreferenceVote.Of(dimensions.Select(d => (int)pair.Labels[d]));
            if (vote != 0)
            {
                yield return vote > 0 ? (pair, pair.VideoA, pair.VideoB) : (pair, pair.VideoB, pair.VideoA);
            }
        }
    }
}

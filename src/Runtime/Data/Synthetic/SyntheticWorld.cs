using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>One video of the world's video set: which prompt, generator and sample made it.</summary>
/// <param name="Prompt">The prompt it was rendered for.</param>
/// <param name="Generator">The generator's index (0 best).</param>
/// <param name="Sample">The sample index within (prompt, generator).</param>
/// <param name="Video">The pixels.</param>
public sealed record WorldVideo(SyntheticPrompt Prompt, int Generator, int Sample, Video Video);

/// <summary>
/// One preference pair of the synthetic world: a prompt and two videos from different generators, with the oracle's
/// z-scores and the annotator's labels. The videos are rendered on demand (deterministically), so that thousands of
/// pairs cost little memory.
/// </summary>
public sealed class SyntheticPair
{
    private readonly SyntheticWorld _world;

    internal SyntheticPair(SyntheticWorld world, int index, SyntheticPrompt prompt, int generatorA, int generatorB,
        int renderSeedA, int renderSeedB, OracleScores scoresA, OracleScores scoresB, IReadOnlyDictionary<PreferenceDimension, PreferenceLabel> labels)
    {
        _world = world;
        Index = index;
        Prompt = prompt;
        GeneratorA = generatorA;
        GeneratorB = generatorB;
        RenderSeedA = renderSeedA;
        RenderSeedB = renderSeedB;
        ScoresA = scoresA;
        ScoresB = scoresB;
        Labels = labels;
    }

    /// <summary>The pair's index in <see cref="SyntheticWorld.Pairs(int)"/>.</summary>
    public int Index { get; }

    /// <summary>The prompt both videos were rendered for.</summary>
    public SyntheticPrompt Prompt { get; }

    /// <summary>The generator of video A (for diagnostics; the oracle and annotator never see it).</summary>
    public int GeneratorA { get; }

    /// <summary>The generator of video B, always different from <see cref="GeneratorA"/>.</summary>
    public int GeneratorB { get; }

    /// <summary>The render seed of video A.</summary>
    public int RenderSeedA { get; }

    /// <summary>The render seed of video B.</summary>
    public int RenderSeedB { get; }

    /// <summary>The oracle's z-scores of video A.</summary>
    public OracleScores ScoresA { get; }

    /// <summary>The oracle's z-scores of video B.</summary>
    public OracleScores ScoresB { get; }

    /// <summary>The annotator's label for VQ, MQ, TA and Overall.</summary>
    public IReadOnlyDictionary<PreferenceDimension, PreferenceLabel> Labels { get; }

    /// <summary>Renders video A.</summary>
    public Video RenderA() => _world.Render(Prompt, GeneratorA, RenderSeedA);

    /// <summary>Renders video B.</summary>
    public Video RenderB() => _world.Render(Prompt, GeneratorB, RenderSeedB);
}

/// <summary>
/// The synthetic video world (<c>synthetic_videos</c>): procedural prompts, K procedural generators of different
/// quality, the world's video set, preference pairs labelled by a noisy annotator, and the oracle judge.
/// Everything is deterministic given the options and the seed.
/// </summary>
public sealed class SyntheticWorld
{
    private const long PromptStream = 1, RenderStream = 2, PairStream = 3, LabelStream = 4;
    private readonly Lazy<IReadOnlyList<WorldVideo>> _videos;
    private readonly Lazy<Oracle> _oracle;

    /// <summary>Creates the world.</summary>
    /// <exception cref="ArgumentException">When an option is out of range.</exception>
    public SyntheticWorld(ISyntheticWorldSettings options, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;
        Seed = seed;
        Shape = new VideoShape(3, options.Frames, options.Resolution[0], options.Resolution[1]);
        Generators = GeneratorProfile.Create(options.Generators);
        Annotator = new Annotator(options.AnnotatorNoise, options.TieThreshold);

        var ids = Enumerable.Range(0, SyntheticVocabulary.PromptCount).ToArray();
        new SeededRandom(seed, PromptStream).Shuffle(ids);
        Prompts = ids.Take(options.Prompts).Select(SyntheticPrompt.FromId).ToArray();
        EvalPrompts = ids.Skip(options.Prompts).Take(options.EvalPrompts).Select(SyntheticPrompt.FromId).ToArray();

        _videos = new Lazy<IReadOnlyList<WorldVideo>>(RenderVideoSet);
        _oracle = new Lazy<Oracle>(() => new Oracle(OracleNormalization.Fit(
            Videos.Select(v => Oracle.ScoreRaw(v.Video, v.Prompt)).ToArray())));
    }

    /// <summary>The options the world was made with.</summary>
    public ISyntheticWorldSettings Options { get; }

    /// <summary>The world seed (the experiment seed).</summary>
    public int Seed { get; }

    /// <summary>The shape of every video: 3 × Frames × H × W.</summary>
    public VideoShape Shape { get; }

    /// <summary>The training prompts.</summary>
    public IReadOnlyList<SyntheticPrompt> Prompts { get; }

    /// <summary>The evaluation prompts, disjoint from <see cref="Prompts"/>.</summary>
    public IReadOnlyList<SyntheticPrompt> EvalPrompts { get; }

    /// <summary>The generators' defect profiles, best (index 0) to worst (last).</summary>
    public IReadOnlyList<GeneratorProfile> Generators { get; }

    /// <summary>The index of the clearly best generator.</summary>
    public int BestGenerator => 0;

    /// <summary>The index of the clearly worst generator.</summary>
    public int WorstGenerator => Generators.Count - 1;

    /// <summary>The annotator that labels <see cref="Pairs(int)"/>.</summary>
    public Annotator Annotator { get; }

    /// <summary>
    /// The world's video set: every training prompt × generator × sample (sample seeds 0 … Samples−1), rendered once
    /// on first use. It is the data for pretraining the autoencoder and the flow generator, and the oracle's
    /// reference set for z-normalisation.
    /// </summary>
    public IReadOnlyList<WorldVideo> Videos => _videos.Value;

    /// <summary>The oracle judge, z-normalised on <see cref="Videos"/>.</summary>
    public Oracle Oracle => _oracle.Value;

    /// <summary>Renders one video of <paramref name="prompt"/> by generator <paramref name="generator"/>; same arguments, same pixels.</summary>
    public Video Render(SyntheticPrompt prompt, int generator, int seed)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(generator);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(generator, Generators.Count);
        return SyntheticRenderer.Render(prompt, Generators[generator], Shape, new SeededRandom(Seed, RenderStream, prompt.Id, generator, seed));
    }

    /// <summary>
    /// <paramref name="count"/> preference pairs: pair i draws a training prompt and two different generators at
    /// random, renders one fresh video from each (render seeds −2i−1 and −2i−2, never used by <see cref="Videos"/>),
    /// scores both with the oracle and asks the annotator for a label per dimension (VQ, MQ, TA and Overall).
    /// </summary>
    public IReadOnlyList<SyntheticPair> Pairs(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var oracle = Oracle;
        var pairs = new SyntheticPair[count];
        Parallel.For(0, count, i => pairs[i] = MakePair(oracle, i));
        return pairs;
    }

    private SyntheticPair MakePair(Oracle oracle, int index)
    {
        var rng = new SeededRandom(Seed, PairStream, index);
        var prompt = Prompts[rng.NextInt(Prompts.Count)];
        var generatorA = rng.NextInt(Generators.Count);
        var generatorB = (generatorA + 1 + rng.NextInt(Generators.Count - 1)) % Generators.Count;
        int seedA = -2 * index - 1, seedB = -2 * index - 2;
        var scoresA = oracle.Score(Render(prompt, generatorA, seedA), prompt);
        var scoresB = oracle.Score(Render(prompt, generatorB, seedB), prompt);
        var labelRng = new SeededRandom(Seed, LabelStream, index);
        var labels = new Dictionary<PreferenceDimension, PreferenceLabel>();
        foreach (var dimension in Enum.GetValues<PreferenceDimension>())
        {
            labels[dimension] = Annotator.Label(scoresA[dimension] - scoresB[dimension], labelRng);
        }

        return new SyntheticPair(this, index, prompt, generatorA, generatorB, seedA, seedB, scoresA, scoresB, labels);
    }

    private IReadOnlyList<WorldVideo> RenderVideoSet()
    {
        var keys = new List<(SyntheticPrompt Prompt, int Generator, int Sample)>();
        foreach (var prompt in Prompts)
        {
            for (var g = 0; g < Generators.Count; g++)
            {
                for (var s = 0; s < Options.Samples; s++)
                {
                    keys.Add((prompt, g, s));
                }
            }
        }

        var videos = new WorldVideo[keys.Count];
        Parallel.For(0, keys.Count, i => videos[i] = new WorldVideo(keys[i].Prompt, keys[i].Generator, keys[i].Sample,
            Render(keys[i].Prompt, keys[i].Generator, keys[i].Sample)));
        return videos;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public static void Validate(ISyntheticWorldSettings settings)
    {
        static void Positive(int value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentException($"synthetic_videos: {name} must be positive, got {value}.", name);
            }
        }

        Positive(settings.Prompts, nameof(ISyntheticWorldSettings.Prompts));
        Positive(settings.EvalPrompts, nameof(ISyntheticWorldSettings.EvalPrompts));
        Positive(settings.Frames, nameof(ISyntheticWorldSettings.Frames));
        Positive(settings.Samples, nameof(ISyntheticWorldSettings.Samples));
        if (settings.Frames < 2)
        {
            throw new ArgumentException("synthetic_videos: Frames must be at least 2 so that objects move.", nameof(ISyntheticWorldSettings.Frames));
        }

        if (settings.Generators < 2)
        {
            throw new ArgumentException($"synthetic_videos: Generators must be at least 2 (pairs come from different generators), got {settings.Generators}.", nameof(ISyntheticWorldSettings.Generators));
        }

        if (settings.Resolution is not { Count: 2 } || settings.Resolution[0] < 8 || settings.Resolution[1] < 8)
        {
            throw new ArgumentException("synthetic_videos: Resolution must be [height, width] with both at least 8.", nameof(ISyntheticWorldSettings.Resolution));
        }

        if (settings.Prompts + settings.EvalPrompts > SyntheticVocabulary.PromptCount)
        {
            throw new ArgumentException(
                $"synthetic_videos: Prompts + EvalPrompts = {settings.Prompts + settings.EvalPrompts} exceeds the {SyntheticVocabulary.PromptCount} distinct prompts the vocabulary can make.",
                nameof(ISyntheticWorldSettings.Prompts));
        }

        if (!(settings.AnnotatorNoise >= 0) || double.IsInfinity(settings.AnnotatorNoise))
        {
            throw new ArgumentException("synthetic_videos: AnnotatorNoise must be a finite number ≥ 0.", nameof(ISyntheticWorldSettings.AnnotatorNoise));
        }

        if (!(settings.TieThreshold >= 0) || double.IsInfinity(settings.TieThreshold))
        {
            throw new ArgumentException("synthetic_videos: TieThreshold must be a finite number ≥ 0.", nameof(ISyntheticWorldSettings.TieThreshold));
        }
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Kinds.SyntheticVideos;

/// <summary>
/// The World artifact of <c>synthetic_videos</c>, with the members the language reaches by a dot (catalogue:
/// <c>world.videos</c>, <c>world.pairs(count: N)</c>, <c>world.prompts</c>, <c>world.eval_prompts</c>, <c>world.oracle</c>,
/// <c>world.best</c>, <c>world.worst</c>).
/// </summary>
public sealed class World : INamedMembers
{
    private readonly Lazy<VideoSet> videos;
    private readonly Lazy<OracleJudge> oracle;

    public World(SyntheticWorld synthetic)
    {
        Synthetic = synthetic;
        videos = new Lazy<VideoSet>(() => new VideoSet(synthetic.Shape, synthetic.Videos.Select(v => new PromptedVideo(v.Prompt.Text, v.Video)).ToArray()));
        Prompts = new PromptSet(synthetic.Prompts.Select(p => p.Text).ToArray());
        EvalPrompts = new PromptSet(synthetic.EvalPrompts.Select(p => p.Text).ToArray());
        Best = new WorldGenerator(synthetic, synthetic.BestGenerator);
        Worst = new WorldGenerator(synthetic, synthetic.WorstGenerator);
        oracle = new Lazy<OracleJudge>(() => new OracleJudge(synthetic.Oracle));
    }

    /// <summary>The procedural world behind the artifact.</summary>
    public SyntheticWorld Synthetic { get; }

    public VideoSet Videos => videos.Value;

    public PromptSet Prompts { get; }

    public PromptSet EvalPrompts { get; }

    /// <summary><c>world.oracle</c>: the oracle as a judge, with the world's reference-set normalisation (measured on first use).</summary>
    public OracleJudge Oracle => oracle.Value;

    public WorldGenerator Best { get; }

    public WorldGenerator Worst { get; }

    /// <summary><c>world.pairs(count: N)</c>: N labelled pairs of videos from different generators.</summary>
    public SyntheticPairSource Pairs(int count) => new(this, count);

    /// <summary>The world's generators, which a win_rates stage may compare as methods (<c>world.best</c>).</summary>
    public IEnumerable<(string Name, object Value)> NamedMembers => [("best", Best), ("worst", Worst)];
}

/// <summary>The PairSource artifact of <c>world.pairs(count: N)</c>; pairs are drawn when first read.</summary>
public sealed class SyntheticPairSource(World world, int count)
{
    private readonly Lazy<IReadOnlyList<SyntheticPair>> pairs = new(() => world.Synthetic.Pairs(count));

    public World World { get; } = world;

    public int Count { get; } = count;

    public IReadOnlyList<SyntheticPair> Pairs => pairs.Value;
}

/// <summary>One of the world's procedural generators as a Generator, so evaluations can compare against it.</summary>
public sealed class WorldGenerator(SyntheticWorld world, int generator) : IVideoGenerator
{
    public int Index { get; } = generator;

    public VideoShape Shape => world.Shape;

    public IReadOnlyList<Video> Generate(IReadOnlyList<string> prompts, long seed) =>
        prompts.Select((text, i) =>
        {
            if (!SyntheticPrompt.TryParse(text, out var prompt) || prompt is null)
            {
                throw new ArgumentException($"'{text}' is not a prompt of the synthetic world's vocabulary");
            }

            return world.Render(prompt, Index, unchecked((int)(seed * 1_000_003L) + i));
        }).ToArray();
}

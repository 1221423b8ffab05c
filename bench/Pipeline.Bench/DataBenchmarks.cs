using BenchmarkDotNet.Attributes;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds.SyntheticVideos;

namespace Pipeline.Bench;

/// <summary>
/// The synthetic world's costs at the default sizes (8 frames, 16×16): rendering one video, the oracle's features of
/// one video, 256 labelled pairs (two renders and two oracle scores each), and reading pair labels through the data
/// view. Run: <c>dotnet run -c Release --project bench/Pipeline.Bench -- --filter '*DataBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class DataBenchmarks
{
    private SyntheticWorld world = null!;
    private Video video = null!;
    private PreferencePairSet pairs = null!;

    [GlobalSetup]
    public void Setup()
    {
        world = new SyntheticWorld(new SyntheticVideosOptions
        {
            // The catalogue's defaults but for the prompt counts (the runtime holds no defaults: generated code sets them all).
            Prompts = 64, EvalPrompts = 16, Frames = 8, Resolution = [16, 16], Generators = 6, Samples = 1, AnnotatorNoise = 0.5, TieThreshold = 0.4,
        }, 7);
        video = world.Render(world.Prompts[0], 3, 1);
        _ = world.Oracle;
        pairs = PreferencePairSet.FromWorld(world, world.Pairs(256), [PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA]);
    }

    [Benchmark]
    public Video Render() => world.Render(world.Prompts[1], 4, 2);

    [Benchmark]
    public OracleFeatures OracleFeatures() => Oracle.Features(video, world.Prompts[0]);

    [Benchmark]
    public int Pairs256() => world.Pairs(256).Count;

    [Benchmark]
    public float ReadLabels()
    {
        var view = pairs.ToDataView();
        var column = view.Schema["TA"];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        float sum = 0, value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value;
        }

        return sum;
    }
}

using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Generation;

/// <summary>Small synthetic worlds and run contexts for generator and evaluation tests.</summary>
internal static class GenerationFixtures
{
    public static World TinyWorld(int prompts = 16, int frames = 4, int size = 8, int generators = 3, int seed = 7)
    {
        var options = KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = prompts, EvalPrompts = 4, Frames = frames, Resolution = new[] { size, size }, Generators = generators, Samples = 1 };
        return new World(new SyntheticWorld(options, seed));
    }

    public static RunContext Context(int seed = 7, string? output = null)
    {
        var info = new ExperimentInfo("test", "0", string.Empty, "test", "test", seed, "cpu", Array.Empty<StageInfo>());
        return new RunContext(info, output ?? Path.GetTempPath(), Path.GetTempPath(), _ => { });
    }
}

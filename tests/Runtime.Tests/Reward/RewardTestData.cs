using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Pairs;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>Synthetic-world preference pairs for the reward-model tests, split by prompt as the preference_pairs stage does.</summary>
internal static class RewardTestData
{
    public static readonly PreferenceDimension[] Dimensions = { PreferenceDimension.VQ, PreferenceDimension.MQ, PreferenceDimension.TA, PreferenceDimension.Overall };

    public static PreferencePairSplit Split(int pairs, int seed = 7, double train = 0.8)
    {
        var world = new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>(), seed);
        var set = PreferencePairSet.FromWorld(world, world.Pairs(pairs), Dimensions);
        return set.Split(train, 1 - train, seed);
    }

    public static RunContext Context(int seed = 7, List<string>? log = null)
    {
        var info = new ExperimentInfo("test", "0", string.Empty, "test", "test", seed, "cpu", Array.Empty<StageInfo>());
        return new RunContext(info, Path.GetTempPath(), Path.GetTempPath(), line => log?.Add(line));
    }
}

using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Kinds.SyntheticVideos;

/// <summary><c>synthetic_videos</c>: builds the procedural world from the experiment seed.</summary>
public static class SyntheticVideosStage
{
    public static StageOutput Run(StageContext context, string name, SyntheticVideosOptions options)
    {
        SyntheticWorld synthetic;
        try
        {
            synthetic = new SyntheticWorld(options, context.Seed);
        }
        catch (ArgumentException error)
        {
            throw RuntimeErrors.InvalidOption(name, error);
        }

        var output = new StageOutput(name, "synthetic_videos", new World(synthetic));
        output.Metrics["oracle_version"] = Oracle.Version;
        output.Metrics["prompts"] = synthetic.Prompts.Count;
        output.Metrics["eval_prompts"] = synthetic.EvalPrompts.Count;
        output.Metrics["generators"] = synthetic.Generators.Count;
        output.Metrics["video_shape"] = synthetic.Shape.ToString();
        return output;
    }
}

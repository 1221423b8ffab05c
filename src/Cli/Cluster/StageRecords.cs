using System.Text.Json.Nodes;
using Pipeline.Runtime.Execution;

namespace Pipeline.Cli.Cluster;

/// <summary>
/// How each stage of a submitted run really ran. Each stage job writes a results.json of its own into
/// <c>DIR/STAGE/HASH/</c>; the results job then loads every stage from the cache (so, seen from its own process, each
/// is "cached") and takes from those records whether the stage was computed or cached, how long it took and the step
/// it resumed at after a requeue. A point's results.json then says what a local run's would: as in a local sweep, where
/// the first point that needs a stage computes it and later points read it from the cache, a job shared by several
/// points counts as computed for the point whose assembly it ran (its record carries that point's source hash), and as
/// cached for the others.
/// </summary>
internal static class StageRecords
{
    public static string Folder(string recordsDirectory, string stage, string hash) => Path.Combine(recordsDirectory, stage, hash);

    public static void Apply(RunResult result, string recordsDirectory)
    {
        foreach (var (name, output) in result.Stages)
        {
            // A stage this process computed (a kind that is rebuilt, not stored) already says how it ran.
            if (!output.Cached || result.Info.FindStage(name) is not { } stage)
            {
                continue;
            }

            var file = Path.Combine(Folder(recordsDirectory, name, stage.Hash), "results.json");
            var results = File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) : null;
            if (results?["stages"]?[name] is not JsonObject record || results["source_sha256"]?.GetValue<string>() != result.Info.SourceSha256)
            {
                // Cached before this submission, or computed for another sweep point: "cached" is the truth here.
                continue;
            }

            output.Cached = record["cached"]?.GetValue<bool>() ?? true;
            output.Seconds = record["seconds"]?.GetValue<double>() ?? output.Seconds;
            output.ResumedFromStep = record["resumed_from_step"]?.GetValue<long?>();
        }
    }
}

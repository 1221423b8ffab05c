using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution.Caching;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Runtime.Execution;

/// <summary>What <c>pipeline run --dry-run</c> prints for one stage.</summary>
public sealed record PlannedStage(string Name, string Kind, string Hash, bool Cached, string? Note);

/// <summary>
/// Runs stages through the <see cref="StageCache"/>: a stage whose hash has an intact entry is loaded (its artifact,
/// metrics and the results sections it wrote — reward_accuracy, win_rates, … — so a fully cached run writes the same
/// results.json apart from timings); otherwise it runs and its entry is stored. A corrupt entry, or a stale one (written
/// by another build of the runtime, <see cref="StageCache.RuntimeBuild"/>), is reported and recomputed. When a stage's inputs have not run in this process (<c>--stage</c>), they are loaded from the cache,
/// or rebuilt when their kind is never stored (<see cref="ArtifactStore.IsStored"/>); an input of a stored kind that
/// is not cached is an error that names it.
/// </summary>
public static class CachedStageRunner
{
    public static StageOutput Run(RunContext context, StageCache cache, IExperiment experiment, string name)
    {
        var info = context.Info.FindStage(name) ?? throw new InvalidOperationException($"the experiment has no stage '{name}'");
        EnsureInputs(context, cache, experiment, info);

        var lookup = cache.Lookup(info.Hash);
        if (lookup.State is CacheEntryState.Corrupt or CacheEntryState.Stale)
        {
            context.Log($"cache entry for stage {name} is {Describe(lookup)}; recomputing");
            cache.Remove(info.Hash);
        }
        else if (lookup.State == CacheEntryState.Intact && TryLoad(context, lookup, info) is { } cached)
        {
            return cached;
        }

        var before = Snapshot(context.ResultSections);
        var output = context.RunUncached(experiment, name);
        if (!ArtifactStore.CanStore(output.Artifact))
        {
            context.Log(ArtifactStore.RebuildReason(info.Kind) is { } reason
                ? $"stage {name}: not cached ({reason})"
                : $"stage {name}: not cached (its {output.Artifact.GetType().Name} cannot be stored; it is recomputed on every run)");
            return output;
        }

        var manifest = new JsonObject
        {
            ["stage"] = name,
            ["kind"] = info.Kind,
            ["hash"] = info.Hash,
            ["seconds"] = output.Seconds,
            ["metrics"] = Snapshot(output.Metrics),
            ["sections"] = Diff(before, Snapshot(context.ResultSections)) ?? new JsonObject(),
        };
        cache.Store(info.Hash, manifest, folder => ArtifactStore.Save(output.Artifact, folder));
        return output;
    }

    /// <summary>Each stage in run order, cached or to run, for <c>--dry-run</c>.</summary>
    public static IReadOnlyList<PlannedStage> Plan(ExperimentInfo info, StageCache cache) =>
        ExperimentRunner.TopologicalOrder(info.Stages).Select(stage =>
        {
            var lookup = cache.Lookup(stage.Hash);
            var note = lookup.State switch
            {
                CacheEntryState.Corrupt or CacheEntryState.Stale => $"cache entry is {Describe(lookup)}",
                CacheEntryState.Missing => ArtifactStore.RebuildReason(stage.Kind),
                _ => null,
            };
            return new PlannedStage(stage.Name, stage.Kind, stage.Hash, lookup.State == CacheEntryState.Intact, note);
        }).ToArray();

    private static void EnsureInputs(RunContext context, StageCache cache, IExperiment experiment, StageInfo stage)
    {
        foreach (var dependency in stage.Dependencies)
        {
            if (context.Outputs.ContainsKey(dependency))
            {
                continue;
            }

            var input = context.Info.FindStage(dependency) ?? throw new InvalidOperationException($"stage '{stage.Name}' depends on '{dependency}', which the experiment does not have");
            var lookup = cache.Lookup(input.Hash);
            if ((lookup.State == CacheEntryState.Intact && TryLoad(context, lookup, input) is not null) || !ArtifactStore.IsStored(input.Kind))
            {
                if (!context.Outputs.ContainsKey(dependency))
                {
                    context.RunStage(experiment, dependency);
                }

                continue;
            }

            var why = lookup.State == CacheEntryState.Missing ? "it is not cached" : $"its cache entry is {Describe(lookup)}";
            throw RuntimeErrors.CachedInputMissing(stage.Name, dependency, why);
        }
    }

    private static string Describe(CacheLookup lookup) =>
        lookup.State == CacheEntryState.Stale ? $"stale ({lookup.Problem})" : $"corrupt ({lookup.Problem})";

    private static StageOutput? TryLoad(RunContext context, CacheLookup lookup, StageInfo stage)
    {
        var watch = Stopwatch.StartNew();
        object artifact;
        try
        {
            artifact = ArtifactStore.Load(Path.Combine(lookup.Folder, StageCache.ArtifactFolder), context.Device.Resolve());
        }
        catch (Exception error) when (error is IOException or InvalidDataException or JsonException or InvalidOperationException or ArgumentException or PipelineException)
        {
            context.Log($"cache entry for stage {stage.Name} cannot be loaded ({error.Message}); recomputing");
            return null;
        }

        // A generator's sampling settings are not in its hash: it samples with this run's, not its training run's.
        if (stage.Sampling is { } sampling && artifact is Pipeline.Runtime.Torch.Models.FlowGeneratorModel generator)
        {
            artifact = generator.WithSampling(sampling.Steps, sampling.CfgScale);
        }

        var manifest = lookup.Manifest!;
        var output = new StageOutput(stage.Name, stage.Kind, artifact) { Cached = true };
        if (manifest["metrics"] is JsonObject metrics)
        {
            foreach (var (key, value) in metrics)
            {
                output.Metrics[key] = ToValue(value);
            }
        }

        if (manifest["sections"] is JsonObject sections)
        {
            Merge(context.ResultSections, sections);
        }

        output.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        StageCache.Touch(lookup.Folder);
        context.Complete(output);
        context.Log($"stage {stage.Name}: cached");
        return output;
    }

    /// <summary>A metrics or results map as JSON, written exactly as results.json writes it.</summary>
    private static JsonObject Snapshot(object map)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            MetricJson.Write(json, map);
        }

        return (JsonObject)JsonNode.Parse(stream.ToArray())!;
    }

    /// <summary>What changed from <paramref name="before"/> to <paramref name="after"/>: new or changed keys, recursively.</summary>
    private static JsonNode? Diff(JsonNode? before, JsonNode? after)
    {
        if (after is JsonObject afterObject && before is JsonObject beforeObject)
        {
            var changes = new JsonObject();
            foreach (var (key, value) in afterObject)
            {
                if (Diff(beforeObject[key], value) is { } change)
                {
                    changes[key] = change;
                }
            }

            return changes.Count == 0 ? null : changes;
        }

        return JsonNode.DeepEquals(before, after) || after is null ? null : after.DeepClone();
    }

    /// <summary>Merges stored results sections into the run's, as the stage itself would have written them.</summary>
    private static void Merge(SortedDictionary<string, object?> target, JsonObject changes)
    {
        foreach (var (key, value) in changes)
        {
            if (value is JsonObject nested && target.TryGetValue(key, out var existing) && existing is SortedDictionary<string, object?> map)
            {
                Merge(map, nested);
            }
            else
            {
                target[key] = ToValue(value);
            }
        }
    }

    /// <summary>JSON back into the runtime's metric values: maps, lists, longs, doubles, strings, booleans.</summary>
    private static object? ToValue(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => new SortedDictionary<string, object?>(map.ToDictionary(p => p.Key, p => ToValue(p.Value)), StringComparer.Ordinal),
        JsonArray list => list.Select(ToValue).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue<long>(out var whole) ? whole : value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}

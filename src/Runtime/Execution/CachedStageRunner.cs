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
/// by another build of the runtime, <see cref="RuntimeAssembly.Build"/>), is reported and recomputed. When a stage's inputs have not run in this process (<c>--stage</c>), they are loaded from the cache,
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
        else if (lookup.State == CacheEntryState.Intact && ChangedData(context, experiment, info, lookup.Manifest!) is { } changed)
        {
            context.Log($"cache entry for stage {name} is stale (the data stage {changed} read files whose content changed since it was stored); recomputing");
            cache.Remove(info.Hash);
        }
        else if (lookup.State == CacheEntryState.Intact)
        {
            if (TryLoad(context, lookup, info) is { } cached)
            {
                return cached;
            }

            // Intact but unreadable (a format this build does not read): removed, so the store below writes it anew.
            cache.Remove(info.Hash);
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
        if (DataInputs(context, info) is { Count: > 0 } data)
        {
            manifest[DataInputsKey] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value)));
        }

        cache.Store(info.Hash, manifest, folder => ArtifactStore.Save(output.Artifact, folder, context.Provenance(info)));
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
            var changed = lookup.State == CacheEntryState.Intact ? ChangedData(context, experiment, input, lookup.Manifest!) : null;
            if ((lookup.State == CacheEntryState.Intact && changed is null && TryLoad(context, lookup, input) is not null) || !ArtifactStore.IsStored(input.Kind))
            {
                if (!context.Outputs.ContainsKey(dependency))
                {
                    context.RunStage(experiment, dependency);
                }

                continue;
            }

            var why = lookup.State == CacheEntryState.Missing ? "it is not cached"
                : changed is not null ? $"its cache entry is stale (the data stage {changed} read files whose content changed since it was stored)"
                : $"its cache entry is {Describe(lookup)}";
            throw RuntimeErrors.CachedInputMissing(stage.Name, dependency, why);
        }
    }

    /// <summary>The manifest key of the data fingerprints an entry was computed from (<see cref="StageOutput.DataFingerprint"/>).</summary>
    private const string DataInputsKey = "data_inputs";

    /// <summary>
    /// The data fingerprints of the stages upstream of <paramref name="stage"/>, transitively, that have one in this
    /// run, by stage name: a pair file's stage hash covers the file but not the videos it names, so an entry records
    /// the videos' fingerprint beside its hash.
    /// </summary>
    private static SortedDictionary<string, string> DataInputs(RunContext context, StageInfo stage)
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(stage.Dependencies);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            if (context.Outputs.TryGetValue(name, out var output) && output.DataFingerprint is { } fingerprint)
            {
                inputs[name] = fingerprint;
            }

            foreach (var dependency in context.Info.FindStage(name)?.Dependencies ?? [])
            {
                pending.Push(dependency);
            }
        }

        return inputs;
    }

    /// <summary>
    /// The data stage whose files changed since the entry was stored, or null: each data stage the entry recorded is
    /// run first when it has not run in this process (data stages are never stored: they read their files again, and
    /// a decoded-video store makes that quick), and its fingerprint compared with the recorded one.
    /// </summary>
    private static string? ChangedData(RunContext context, IExperiment experiment, StageInfo stage, JsonObject manifest)
    {
        if (manifest[DataInputsKey] is not JsonObject recorded)
        {
            return DataInputs(context, stage).Keys.FirstOrDefault();
        }

        foreach (var (name, _) in recorded)
        {
            if (!context.Outputs.ContainsKey(name) && context.Info.FindStage(name) is not null)
            {
                context.RunStage(experiment, name);
            }
        }

        var current = DataInputs(context, stage);
        foreach (var (name, value) in recorded)
        {
            if (!current.TryGetValue(name, out var fingerprint) || (value as JsonValue)?.TryGetValue<string>(out var text) != true || text != fingerprint)
            {
                return name;
            }
        }

        return current.Keys.FirstOrDefault(name => !recorded.ContainsKey(name));
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

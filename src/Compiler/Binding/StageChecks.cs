using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>
/// The kind-specific checks of language.md's table, run once every stage is bound: dimensions, ties, noisy latent
/// rewards for guidance, split sums, data files, sample counts, latent shapes, and unused stages. Stages named in values
/// that did not bind (<c>mentioned</c>) count as read: no PIPE1011 for them.
/// </summary>
internal sealed class StageChecks(SemanticModel model, List<Diagnostic> diagnostics, string sourceDirectory, IReadOnlySet<string> mentioned)
{
    private const int MinimumSamples = 256;
    private static readonly ImmutableArray<string> AllDimensions = [.. DimensionNames.Rated];
    private readonly Dictionary<string, ArtifactShape> shapes = new(StringComparer.Ordinal);
    private readonly HashSet<string> computing = new(StringComparer.Ordinal);

    public void Run(bool hasCycle)
    {
        foreach (var stage in model.Stages)
        {
            switch (stage.Kind.Name)
            {
                case "preference_pairs":
                    CheckPairs(stage);
                    break;
                case "autoencoder":
                    CheckLatentFits(stage);
                    CheckInit(stage);
                    break;
                case "flow_generator":
                case "latent_reward":
                    CheckInit(stage);
                    break;
                case "video_reward":
                    CheckBtt(stage);
                    CheckInit(stage);
                    break;
                case "flow_rwr":
                    CheckDimensions(stage, "dimensions", Reference(stage, "reward"));
                    break;
                case "flow_dpo":
                    CheckRelabel(stage);
                    break;
                case "flow_nrg":
                    if (!hasCycle)
                    {
                        CheckGuidance(stage);
                    }

                    break;
                case "win_rates":
                    CheckSamples(stage);
                    break;
            }
        }

        CheckUnused();
    }

    /// <summary>The shape of what a reference gives: the stage's shape followed through its members.</summary>
    public ArtifactShape ShapeOf(BoundReference reference)
    {
        var stage = model.FindStage(reference.Stage);
        var shape = stage is null ? new ArtifactShape(reference.Type, []) : ShapeOf(stage);
        foreach (var step in reference.Steps)
        {
            var member = StageCatalog.FindMember(shape.Type, step.Member)!;
            shape = member.Result == shape.Type ? shape : new ArtifactShape(member.Result, shape.Dimensions);
        }

        return shape;
    }

    public ArtifactShape ShapeOf(StageSymbol stage)
    {
        if (shapes.TryGetValue(stage.Name, out var known))
        {
            return known;
        }

        if (!computing.Add(stage.Name))
        {
            return new ArtifactShape(stage.Kind.Produces, []);
        }

        var shape = stage.Kind.Name switch
        {
            "synthetic_videos" => new ArtifactShape(ArtifactType.World, AllDimensions),
            "preference_pairs" => new ArtifactShape(ArtifactType.PreferencePairs, Words(stage, "dimensions"), Word(stage, "ties")),
            "video_reward" => new ArtifactShape(ArtifactType.RewardModel, InputDimensions(stage, "train")),
            "latent_reward" => new ArtifactShape(ArtifactType.LatentRewardModel, InputDimensions(stage, "train"), Noisy: stage.Find("noisy")?.Value is BoundBoolean { Value: true }),
            _ => new ArtifactShape(stage.Kind.Produces, []),
        };
        computing.Remove(stage.Name);
        shapes[stage.Name] = shape;
        return shape;
    }

    private ImmutableArray<string> InputDimensions(StageSymbol stage, string property) =>
        Reference(stage, property) is { } reference ? ShapeOf(reference).Dimensions : [];

    private void CheckPairs(StageSymbol stage)
    {
        if (stage.Find("split")?.Value is BoundMap { IsRecord: true } split
            && split.Find("train") is BoundReal train && split.Find("eval") is BoundReal eval
            && Math.Abs(train.Value + eval.Value - 1.0) > 1e-9)
        {
            Report(stage, stage.Find("split")!, CompilerDiagnostics.SplitSum(split.Span, train.Value + eval.Value));
        }

        if (stage.Find("source") is { Value: BoundString { IsPath: true } file } source)
        {
            CheckDataFile(stage, source, file);
        }
    }

    /// <summary>
    /// A data file may live anywhere (outside the experiment's folder, or absolute): the diagnostics name the path it
    /// resolved to. Only a regular file with content is read, and as a stream: a named pipe would block the check and a
    /// device (a link to /dev/zero) would never end.
    /// </summary>
    private void CheckDataFile(StageSymbol stage, BoundProperty property, BoundString file)
    {
        string full;
        byte[] hash;
        HashSet<string> columns;
        try
        {
            full = Path.GetFullPath(Path.Combine(sourceDirectory, file.Value));
            var link = new FileInfo(full);
            var info = link.LinkTarget is null ? link : link.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? link;
            if (!info.Exists)
            {
                Report(stage, property, CompilerDiagnostics.DataFileNotFound(file.Span, file.Value, full));
                return;
            }

            if (info.Length == 0)
            {
                Report(stage, property, CompilerDiagnostics.DataFileUnreadable(file.Span, file.Value, full, "it is empty, or not a regular file (a pipe or a device)"));
                return;
            }

            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
            hash = SHA256.HashData(stream);
            stream.Position = 0;
            columns = ReadColumns(full, stream);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Report(stage, property, CompilerDiagnostics.DataFileUnreadable(file.Span, file.Value, file.Value, error.Message.TrimEnd('.')));
            return;
        }

        stage.DataFiles = stage.DataFiles.SetItem(file.Value, Convert.ToHexStringLower(hash));
        var missing = PairFileColumns.Required(Words(stage, "dimensions")).Where(c => !columns.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            Report(stage, property, CompilerDiagnostics.DataFileMissingColumns(file.Span, file.Value, missing));
        }
    }

    /// <summary>
    /// <c>init = file("...")</c>: the file must exist (relative to the experiment file, like a data file) and be a
    /// model file or a PyTorch state dict by its extension; its content hash joins the stage hash. Zero training steps
    /// without given weights would leave a random network: an error at the count.
    /// </summary>
    private void CheckInit(StageSymbol stage)
    {
        var (steps, stepsName) = stage.Kind.Name switch
        {
            "autoencoder" => (stage.Find("steps"), "steps"),
            "flow_generator" => (stage.Find("pretrain"), "pretrain.steps"),
            _ => (stage.Find("epochs"), "epochs"),
        };
        var count = steps?.Value switch
        {
            BoundInteger integer => integer.Value,
            BoundMap record => (record.Find("steps") as BoundInteger)?.Value,
            _ => null,
        };
        var init = stage.Find(InitFiles.Property);
        if (init is null)
        {
            if (count == 0 && steps is not null)
            {
                var span = steps.Value is BoundMap map ? map.Find("steps")?.Span ?? steps.Value.Span : steps.Value.Span;
                Report(stage, steps, CompilerDiagnostics.ZeroStepsWithoutInit(span, stepsName));
            }

            return;
        }

        if (init.Value is not BoundVariant { Case: "file" } variant || variant.Arguments.FirstOrDefault(a => a.Name == "path")?.Value is not BoundString file)
        {
            return;
        }

        if (!InitFiles.Extensions.Any(e => file.Value.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            Report(stage, init, CompilerDiagnostics.InitFileWrongExtension(file.Span, file.Value, InitFiles.Extensions));
            return;
        }

        try
        {
            var full = Path.GetFullPath(Path.Combine(sourceDirectory, file.Value));
            var link = new FileInfo(full);
            var info = link.LinkTarget is null ? link : link.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? link;
            if (!info.Exists)
            {
                Report(stage, init, CompilerDiagnostics.InitFileNotFound(file.Span, file.Value, full));
                return;
            }

            if (info.Length == 0)
            {
                Report(stage, init, CompilerDiagnostics.InitFileUnreadable(file.Span, file.Value, "it is empty, or not a regular file (a pipe or a device)"));
                return;
            }

            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
            stage.DataFiles = stage.DataFiles.SetItem(file.Value, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Report(stage, init, CompilerDiagnostics.InitFileUnreadable(file.Span, file.Value, error.Message.TrimEnd('.')));
        }
    }

    /// <summary>The CSV header's columns, or the keys of the first JSONL object; the first line is read up to 64 KiB.</summary>
    private static HashSet<string> ReadColumns(string path, Stream stream)
    {
        using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var buffer = new char[64 * 1024];
        var text = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
        var end = text.IndexOfAny(['\r', '\n']);
        var first = end < 0 ? text : text[..end];
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var document = JsonDocument.Parse(first);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    ? document.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
                    : new HashSet<string>(StringComparer.Ordinal);
            }
            catch (JsonException)
            {
                return new HashSet<string>(StringComparer.Ordinal);
            }
        }

        return first.Split(',').Select(c => c.Trim().Trim('"')).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>An autoencoder's latent [C, T, H, W] must fit in the videos it encodes (frames, resolution).</summary>
    private void CheckLatentFits(StageSymbol stage)
    {
        if (Reference(stage, "data") is not { } data || model.FindStage(data.Stage) is not { Kind.Name: "synthetic_videos" } world
            || stage.Find("latent") is not { Value: BoundList { Items.Length: 4 } latent } latentProperty)
        {
            return;
        }

        var frames = (world.Find("frames")?.Value as BoundInteger)?.Value;
        var resolution = (world.Find("resolution")?.Value as BoundList)?.Items.OfType<BoundInteger>().Select(i => i.Value).ToArray();
        var shape = latent.Items.OfType<BoundInteger>().Select(i => i.Value).ToArray();
        if (frames is null || resolution is not { Length: 2 } || shape.Length != 4)
        {
            return;
        }

        if (shape[1] > frames || shape[2] > resolution[0] || shape[3] > resolution[1])
        {
            Report(stage, latentProperty, CompilerDiagnostics.LatentDoesNotFit(latent.Span, $"latent T×H×W {shape[1]}×{shape[2]}×{shape[3]}, videos {frames}×{resolution[0]}×{resolution[1]} from '{world.Name}'"));
        }
    }

    private void CheckBtt(StageSymbol stage)
    {
        if (stage.Find("loss") is { Value: BoundVariant { Case: "btt" } } loss && Reference(stage, "train") is { } train
            && ShapeOf(train) is { Ties: "drop" })
        {
            Report(stage, loss, CompilerDiagnostics.BttWithTiesDropped(loss.Value.Span, train.Stage));
        }
    }

    private void CheckDimensions(StageSymbol stage, string property, BoundReference? input)
    {
        if (input is null || stage.Find(property) is not { } written)
        {
            return;
        }

        var available = ShapeOf(input).Dimensions;
        var used = written.Value switch
        {
            BoundList list => list.Items.OfType<BoundString>().Select(s => s.Value).ToList(),
            BoundMap map => map.Fields.Select(f => f.Name).ToList(),
            _ => new List<string>(),
        };
        var missing = used.Where(d => !available.Contains(d)).ToList();
        if (!available.IsEmpty && missing.Count > 0)
        {
            Report(stage, written, CompilerDiagnostics.DimensionMismatch(written.Value.Span, $"'{stage.Name}.{property}'", missing, available));
        }
    }

    /// <summary><c>pairs = prefs.train.relabel(vr, dimensions: [...])</c>: the relabelling dimensions must be the reward's.</summary>
    private void CheckRelabel(StageSymbol stage)
    {
        if (stage.Find("pairs") is not { Value: BoundReference pairs } property)
        {
            return;
        }

        foreach (var step in pairs.Steps.Where(s => s.Member == "relabel"))
        {
            if (step.Arguments.FirstOrDefault(a => a.Name == "reward")?.Value is not BoundReference reward
                || step.Arguments.FirstOrDefault(a => a.Name == "dimensions")?.Value is not BoundList dims)
            {
                continue;
            }

            var available = ShapeOf(reward).Dimensions;
            var missing = dims.Items.OfType<BoundString>().Select(s => s.Value).Where(d => !available.Contains(d)).ToList();
            if (!available.IsEmpty && missing.Count > 0)
            {
                Report(stage, property, CompilerDiagnostics.DimensionMismatch(pairs.Span, $"The relabelling by '{reward.Stage}'", missing, available));
            }
        }
    }

    private void CheckGuidance(StageSymbol stage)
    {
        if (stage.Find("reward") is not { Value: BoundReference reward } property)
        {
            return;
        }

        var shape = ShapeOf(reward);
        if (shape.Type == ArtifactType.LatentRewardModel && shape.Noisy != true)
        {
            var ablation = stage.Find("ablation")?.Value is BoundBoolean { Value: true };
            Report(stage, property, ablation
                ? CompilerDiagnostics.CleanRewardAblation(reward.Span, reward.Stage)
                : CompilerDiagnostics.CleanRewardForGuidance(reward.Span, reward.Stage));
        }

        CheckDimensions(stage, "weights", reward);
    }

    private void CheckSamples(StageSymbol stage)
    {
        if (Reference(stage, "prompts") is not { Steps.Length: 1 } prompts || model.FindStage(prompts.Stage) is not { } world
            || world.Find(prompts.Steps[0].Member)?.Value is not BoundInteger count
            || stage.Find("seeds")?.Value is not BoundInteger seeds)
        {
            return;
        }

        var samples = count.Value * seeds.Value;
        if (samples < MinimumSamples)
        {
            var at = stage.Find("seeds")!;
            Report(stage, at.IsDefault ? stage.Find("prompts")! : at, CompilerDiagnostics.TooFewSamples(at.IsDefault ? stage.NameSpan : at.Value.Span, samples));
        }
    }

    /// <summary>
    /// A world or an autoencoder exists to be read: one that nobody reads is a forgotten reference (a generator
    /// without <c>autoencoder = ae</c>) or dead weight. Every other kind reports results of its own (label
    /// statistics, losses, accuracies, win rates), so a data-only or reward-only experiment is legitimate.
    /// </summary>
    private void CheckUnused()
    {
        var read = model.Stages.SelectMany(s => s.Dependencies).Concat(mentioned).ToHashSet(StringComparer.Ordinal);
        foreach (var stage in model.Stages.Where(s => !s.IsInline && !read.Contains(s.Name)))
        {
            if (stage.Kind.Produces is ArtifactType.World or ArtifactType.Autoencoder)
            {
                diagnostics.Add(CompilerDiagnostics.UnusedStage(stage.NameSpan, stage.Name) with { Path = stage.SourcePath });
            }
        }
    }

    private static BoundReference? Reference(StageSymbol stage, string property) => stage.Find(property)?.Value as BoundReference;

    private static ImmutableArray<string> Words(StageSymbol stage, string property) =>
        stage.Find(property)?.Value is BoundList list ? list.Items.OfType<BoundString>().Select(s => s.Value).ToImmutableArray() : [];

    private static string? Word(StageSymbol stage, string property) => (stage.Find(property)?.Value as BoundString)?.Value;

    private void Report(StageSymbol stage, BoundProperty property, Diagnostic diagnostic) =>
        diagnostics.Add(diagnostic with { Path = property.SourcePath ?? stage.SourcePath, Span = property.IsDefault ? stage.NameSpan : diagnostic.Span });

    internal static TextSpan SpanOf(BoundProperty property, StageSymbol stage) => property.IsDefault ? stage.NameSpan : property.Value.Span;
}

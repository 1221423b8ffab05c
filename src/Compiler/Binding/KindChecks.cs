using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Catalog.Checks;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>
/// The checks each kind declares with its catalogue entry (<see cref="StageKind.Checks"/>) and those of the member
/// calls its values make (<see cref="MemberInfo.Checks"/>), run once every stage is bound: split sums, data files,
/// latent shapes, ties for BTT, dimensions, noise-aware rewards for guidance, sample counts, and unused stages. This
/// class interprets each kind of check; which kind has which check, on which properties, is the catalogue's. Stages
/// named in values that did not bind (<c>mentioned</c>) count as read: no PIPE1011 for them.
/// </summary>
internal sealed class KindChecks(SemanticModel model, ArtifactShapes shapes, List<Diagnostic> diagnostics, string sourceDirectory, IReadOnlySet<string> mentioned)
{
    /// <summary>Runs every check; with a cycle among the stages, the checks that read an input's shape are skipped (it is not known).</summary>
    public void Run(bool hasCycle)
    {
        foreach (var stage in model.Stages)
        {
            foreach (var check in stage.Kind.Checks.Where(c => !hasCycle || !ReadsInputs(c)))
            {
                Check(stage, check);
            }

            if (hasCycle)
            {
                continue;
            }

            foreach (var property in stage.Properties)
            {
                foreach (var reference in Binder.References(property.Value))
                {
                    CheckMemberCalls(stage, property, reference);
                }
            }
        }
    }

    private static bool ReadsInputs(StageCheck check) => check is TiesKeptFor or DimensionsWithin or NoiseAwareReward or LatentFitsVideos or EnoughSamples;

    private void Check(StageSymbol stage, StageCheck check)
    {
        switch (check)
        {
            case SumsToOne sum:
                CheckSum(stage, sum);
                break;
            case PairFileColumnsPresent file:
                if (stage.Find(file.Property) is { Value: BoundString { IsPath: true } path } source)
                {
                    CheckDataFile(stage, source, path, file.Dimensions);
                }

                break;
            case LatentFitsVideos latent:
                CheckLatentFits(stage, latent);
                break;
            case TiesKeptFor ties:
                CheckTies(stage, ties);
                break;
            case DimensionsWithin within:
                if (stage.Find(within.Property) is { } written && Reference(stage, within.Input) is { } input)
                {
                    CheckDimensions(stage, written, written.Value, input, $"'{stage.Name}.{within.Property}'");
                }

                break;
            case NoiseAwareReward reward:
                CheckNoiseAware(stage, reward);
                break;
            case EnoughSamples samples:
                CheckSamples(stage, samples);
                break;
            case ReadByAnotherStage:
                CheckRead(stage);
                break;
            case GivenWeightsReadable given:
                CheckInit(stage, given);
                break;
            default:
                throw new InvalidOperationException($"the compiler has no reading of the check {check}");
        }
    }

    /// <summary>The checks of a member call in a value (<c>prefs.train.relabel(vr, dimensions: [...])</c>), on its arguments.</summary>
    private void CheckMemberCalls(StageSymbol stage, BoundProperty property, BoundReference reference)
    {
        var type = model.FindStage(reference.Stage)?.Kind.Produces;
        var path = reference.Stage;
        foreach (var step in reference.Steps)
        {
            path += "." + step.Member;
            var member = type is { } owner ? StageCatalog.FindMember(owner, step.Member) : null;
            if (member is null)
            {
                return;
            }

            foreach (var check in member.Checks)
            {
                if (check is not DimensionsWithin within)
                {
                    throw new InvalidOperationException($"the compiler reads no {check} on a member call");
                }

                if (step.Arguments.FirstOrDefault(a => a.Name == within.Input)?.Value is BoundReference input
                    && step.Arguments.FirstOrDefault(a => a.Name == within.Property)?.Value is { } dimensions)
                {
                    CheckDimensions(stage, property, dimensions, input, $"'{path}'", reference.Span);
                }
            }

            type = member.Result;
        }
    }

    private void CheckSum(StageSymbol stage, SumsToOne sum)
    {
        if (stage.Find(sum.Property) is { Value: BoundMap { IsRecord: true } record } property
            && record.Fields.Select(f => f.Value).ToArray() is var values && values.All(v => v is BoundReal))
        {
            var total = values.Sum(v => ((BoundReal)v).Value);
            if (Math.Abs(total - 1.0) > 1e-9)
            {
                Report(stage, property, CompilerDiagnostics.SplitSum(record.Span, total));
            }
        }
    }

    /// <summary>
    /// A data file may live anywhere (outside the experiment's folder, or absolute): the diagnostics name the path it
    /// resolved to. Only a regular file with content is read, and as a stream: a named pipe would block the check and a
    /// device (a link to /dev/zero) would never end.
    /// </summary>
    private void CheckDataFile(StageSymbol stage, BoundProperty property, BoundString file, string dimensionsProperty)
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
        var missing = PairFileColumns.Required(Words(stage, dimensionsProperty)).Where(c => !columns.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            Report(stage, property, CompilerDiagnostics.DataFileMissingColumns(file.Span, file.Value, missing));
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

    /// <summary>A latent [C, T, H, W] must fit in the videos it encodes (their frames and resolution, where known).</summary>
    private void CheckLatentFits(StageSymbol stage, LatentFitsVideos check)
    {
        if (Reference(stage, check.Videos) is not { } data
            || stage.Find(check.Latent) is not { Value: BoundList { Items.Length: 4 } latent } latentProperty
            || shapes.Of(data) is not { Frames: { } frames, Resolution: { Length: 2 } resolution })
        {
            return;
        }

        var shape = latent.Items.OfType<BoundInteger>().Select(i => i.Value).ToArray();
        if (shape.Length == 4 && (shape[1] > frames || shape[2] > resolution[0] || shape[3] > resolution[1]))
        {
            Report(stage, latentProperty, CompilerDiagnostics.LatentDoesNotFit(latent.Span, $"latent T×H×W {shape[1]}×{shape[2]}×{shape[3]}, videos {frames}×{resolution[0]}×{resolution[1]} from '{data.Stage}'"));
        }
    }

    private void CheckTies(StageSymbol stage, TiesKeptFor check)
    {
        if (stage.Find(check.Property) is { Value: BoundVariant variant } property && variant.Case == check.Case
            && Reference(stage, check.Pairs) is { } pairs && shapes.Of(pairs) is { Ties: "drop" })
        {
            Report(stage, property, CompilerDiagnostics.BttWithTiesDropped(variant.Span, pairs.Stage));
        }
    }

    /// <summary>The dimensions a value names (a list's words or a map's keys) must be among those of <paramref name="input"/>.</summary>
    private void CheckDimensions(StageSymbol stage, BoundProperty property, BoundValue value, BoundReference input, string what, Dsl.Text.TextSpan? at = null)
    {
        var available = shapes.Of(input).Dimensions;
        var used = value switch
        {
            BoundList list => list.Items.OfType<BoundString>().Select(s => s.Value).ToList(),
            BoundMap map => map.Fields.Select(f => f.Name).ToList(),
            _ => new List<string>(),
        };
        var missing = used.Where(d => !available.Contains(d)).ToList();
        if (!available.IsEmpty && missing.Count > 0)
        {
            Report(stage, property, CompilerDiagnostics.DimensionMismatch(at ?? value.Span, what, missing, available));
        }
    }

    private void CheckNoiseAware(StageSymbol stage, NoiseAwareReward check)
    {
        if (stage.Find(check.Reward) is not { Value: BoundReference reward } property)
        {
            return;
        }

        var shape = shapes.Of(reward);
        if (shape.Type == ArtifactType.LatentRewardModel && shape.Noisy != true)
        {
            var ablation = stage.Find(check.Ablation)?.Value is BoundBoolean { Value: true };
            Report(stage, property, ablation
                ? CompilerDiagnostics.CleanRewardAblation(reward.Span, reward.Stage)
                : CompilerDiagnostics.CleanRewardForGuidance(reward.Span, reward.Stage));
        }
    }

    private void CheckSamples(StageSymbol stage, EnoughSamples check)
    {
        if (Reference(stage, check.Prompts) is not { } prompts || shapes.Of(prompts).Count is not { } count
            || stage.Find(check.Seeds)?.Value is not BoundInteger seeds)
        {
            return;
        }

        var samples = count * seeds.Value;
        if (samples < check.Minimum)
        {
            var at = stage.Find(check.Seeds)!;
            Report(stage, at.IsDefault ? stage.Find(check.Prompts)! : at, CompilerDiagnostics.TooFewSamples(at.IsDefault ? stage.NameSpan : at.Value.Span, samples));
        }
    }

    /// <summary>
    /// A stage that nobody reads, of a kind that exists to be read (a world, an autoencoder): a forgotten reference (a
    /// generator without <c>autoencoder = ae</c>) or dead weight. Kinds that report results of their own (label
    /// statistics, losses, accuracies, win rates) do not declare the check, so a data-only or reward-only experiment
    /// is legitimate.
    /// </summary>
    private void CheckRead(StageSymbol stage)
    {
        if (!stage.IsInline && !model.Stages.Any(s => s.Dependencies.Contains(stage.Name)) && !mentioned.Contains(stage.Name))
        {
            diagnostics.Add(CompilerDiagnostics.UnusedStage(stage.NameSpan, stage.Name) with { Path = stage.SourcePath });
        }
    }

    private static BoundReference? Reference(StageSymbol stage, string property) => stage.Find(property)?.Value as BoundReference;

    private static ImmutableArray<string> Words(StageSymbol stage, string property) =>
        stage.Find(property)?.Value is BoundList list ? list.Items.OfType<BoundString>().Select(s => s.Value).ToImmutableArray() : [];

    /// <summary>
    /// <c>init = file("...")</c>: the file must exist (relative to the experiment file, like a data file) and be a
    /// model file or a PyTorch state dict by its extension; its content hash joins the stage hash. Zero training steps
    /// without given weights would leave a random network: an error at the count.
    /// </summary>
    private void CheckInit(StageSymbol stage, GivenWeightsReadable given)
    {
        var path = given.Steps.Split('.');
        var steps = stage.Find(path[0]);
        var count = steps?.Value switch
        {
            BoundInteger integer when path.Length == 1 => integer.Value,
            BoundMap record when path.Length == 2 => (record.Find(path[1]) as BoundInteger)?.Value,
            _ => null,
        };
        var init = stage.Find(given.Init);
        if (init is null)
        {
            if (count == 0 && steps is not null)
            {
                var span = steps.Value is BoundMap map ? map.Find(path[^1])?.Span ?? steps.Value.Span : steps.Value.Span;
                Report(stage, steps, CompilerDiagnostics.ZeroStepsWithoutInit(span, given.Steps));
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

    private void Report(StageSymbol stage, BoundProperty property, Diagnostic diagnostic) =>
        diagnostics.Add(diagnostic with { Path = property.SourcePath ?? stage.SourcePath, Span = property.IsDefault ? stage.NameSpan : diagnostic.Span });
}

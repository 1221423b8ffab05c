using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Pipeline.Catalog;
using Pipeline.Compiler.Binding;
using Pipeline.Compiler.Diagnostics;
using Diagnostic = Pipeline.Dsl.Diagnostics.Diagnostic;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Lowering;

/// <summary>
/// Lowers the semantic model to the template's view model, typing each value by the runtime's options property
/// (found with Roslyn in the reference assemblies, not from a table). A kind or property the runtime lacks is a
/// PIPE3001/PIPE3002 diagnostic at the stage or property.
/// </summary>
internal sealed class ExperimentLowering(Compilation compilation, Microsoft.CodeAnalysis.Compilation references)
{
    private readonly ValueEmitter values = new(references);
    private readonly List<Diagnostic> diagnostics = new();
    private readonly SourceText source = compilation.SyntaxTree.Source;

    /// <summary>The .pipe line (1-based) each generated #line points at, with the span a Roslyn error there maps to.</summary>
    public Dictionary<int, TextSpan> LineSpans { get; } = new();

    public (ExperimentView? View, ImmutableArray<Diagnostic> Diagnostics) Lower()
    {
        var model = compilation.SemanticModel;
        var stages = new List<StageView>();
        for (var i = 0; i < model.Stages.Length; i++)
        {
            if (LowerStage(model.Stages[i], $"Stage{i.ToString(CultureInfo.InvariantCulture)}") is { } stageView)
            {
                stages.Add(stageView);
            }
        }

        var evidence = LowerEvidence(model);
        if (diagnostics.Count > 0)
        {
            return (null, diagnostics.ToImmutableArray());
        }

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["pipeline.experiment"] = model.Name,
            ["pipeline.source_sha256"] = compilation.SourceSha256,
            ["pipeline.canonical_source"] = compilation.CanonicalSource,
            ["pipeline.compiler_version"] = Compilation.CompilerVersion,
            ["pipeline.runtime_version"] = compilation.RuntimeVersion,
        };
        foreach (var stage in model.Stages)
        {
            metadata["pipeline.stage." + stage.Name] = stage.Kind.Name + " " + stage.Hash;
        }

        var view = new ExperimentView(
            ClassName(model.Name),
            ValueEmitter.String(model.Name),
            ValueEmitter.String(compilation.SourceSha256),
            ValueEmitter.String(compilation.CanonicalSource),
            ValueEmitter.String(Compilation.CompilerVersion),
            ValueEmitter.String(compilation.RuntimeVersion),
            ValueEmitter.Integer(model.Seed),
            ValueEmitter.String(model.Device),
            "\"" + LineFileName(source.Path) + "\"",
            metadata.Select(p => new MetadataView(ValueEmitter.String(p.Key), ValueEmitter.String(p.Value))).ToList(),
            stages,
            evidence);
        return (view, ImmutableArray<Diagnostic>.Empty);
    }

    /// <summary>
    /// Replicates and expectations for <c>ExperimentInfo</c>'s init properties; null when the experiment has neither
    /// (its generated code is then what it was before they existed). A runtime whose ExperimentInfo lacks the
    /// properties is PIPE3020 at the first place that needs them.
    /// </summary>
    private EvidenceView? LowerEvidence(Binding.SemanticModel model)
    {
        if (model.Replicates == 1 && model.Expectations.IsEmpty)
        {
            return null;
        }

        var info = references.GetTypeByMetadataName(ExperimentInfoType);
        foreach (var member in new[] { nameof(Binding.SemanticModel.Replicates), nameof(Binding.SemanticModel.Expectations) })
        {
            if (info is null || ValueEmitter.FindProperty(info, member) is null)
            {
                var at = model.Expectations.FirstOrDefault();
                diagnostics.Add(CompilerDiagnostics.RuntimeLacksEvidence(at?.Span ?? model.NameSpan, member) with { Path = at?.SourcePath ?? model.Path });
                return null;
            }
        }

        var expectations = model.Expectations.Select(b => b.Expectation).Select(e => new ExpectationView(
            ValueEmitter.String(e.Expression),
            Metric(e.Left),
            $"{ExpectationsNamespace}.Comparison.{e.Comparison}",
            e.Right is null ? "null" : Metric(e.Right),
            e.Threshold is { } threshold ? ValueEmitter.Double(threshold) : "null")).ToList();
        return new EvidenceView(ValueEmitter.Integer(model.Replicates), expectations);
    }

    private static string Metric(Pipeline.Catalog.Expectations.MetricReference metric) =>
        $"new {ExpectationsNamespace}.MetricReference({ValueEmitter.String(metric.Stage)}, {ValueEmitter.String(metric.Metric)}, {ValueEmitter.String(metric.Judge)}, {ValueEmitter.String(metric.Dimension)})";

    private const string ExperimentInfoType = "Pipeline.Runtime.Execution.ExperimentInfo";
    private const string ExpectationsNamespace = "global::Pipeline.Catalog.Expectations";

    /// <summary>The #line and location file name: the file's own name (never a folder, so output is the same anywhere), restricted to safe characters.</summary>
    public static string LineFileName(string path)
    {
        var name = Path.GetFileName(path);
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        return safe.Length == 0 ? "experiment.pipe" : safe;
    }

    /// <summary>A C# class name from the experiment name: PascalCase plus "Experiment", only when it is a safe identifier.</summary>
    public static string ClassName(string name)
    {
        var pascal = CatalogNames.PascalCase(name);
        return Names.IsSafeIdentifier(pascal) ? pascal + "Experiment" : "Experiment";
    }

    private StageView? LowerStage(StageSymbol stage, string methodName)
    {
        var pascal = NamesOf.Pascal(stage.Kind.Name);
        var optionsType = references.GetTypeByMetadataName($"{ValueEmitter.KindsNamespace}.{pascal}.{pascal}Options");
        var stageType = references.GetTypeByMetadataName($"{ValueEmitter.KindsNamespace}.{pascal}.{pascal}Stage");
        if (optionsType is null || stageType is null)
        {
            Report(stage, stage.Span, CompilerDiagnostics.RuntimeLacksKind(stage.NameSpan, stage.Kind.Name, optionsType is null ? $"{pascal}Options" : $"{pascal}Stage"));
            return null;
        }

        var stageLine = Line(stage.Span, stage.SourcePath, stage.Span);
        var assignments = new List<AssignmentView>();
        foreach (var property in stage.Properties.Where(p => !p.IsDefault))
        {
            var line = Line(property.Span, property.SourcePath, stage.NameSpan);
            try
            {
                assignments.AddRange(Assign(optionsType, property, line));
            }
            catch (MissingRuntimeMemberException missing)
            {
                Report(stage, property.Span, CompilerDiagnostics.RuntimeLacksProperty(property.SourcePath == source.Path ? property.Span : stage.NameSpan, stage.Kind.Name, missing.Member));
            }
        }

        var (sourceLine, column) = source.GetLineColumn(stage.Span.Start);
        return new StageView(
            methodName,
            ValueEmitter.String(stage.Name),
            ValueEmitter.String(stage.Kind.Name),
            ValueEmitter.String(stage.Hash),
            stage.Dependencies.Select(ValueEmitter.String).ToList(),
            ValueEmitter.String($"{LineFileName(source.Path)}:{sourceLine}:{column}"),
            ValueEmitter.Type(optionsType),
            ValueEmitter.Type(stageType),
            stageLine,
            assignments,
            SamplingOf(stage, compilation.SemanticModel) is { } sampling
                ? $"new global::Pipeline.Runtime.Execution.GeneratorSampling({sampling.Steps.ToString(CultureInfo.InvariantCulture)}, {sampling.CfgScale.ToString("R", CultureInfo.InvariantCulture)}d)"
                : null);
    }

    /// <summary>
    /// The sampling settings a trained generator (a flow_generator, or an aligner of one) samples with: its own, or its
    /// policy's. They are not in its stage hash, so a generator loaded from the cache gets them from here
    /// (<c>StageInfo.Sampling</c>), not from the run that trained it. Null for every other stage: a guide's hash
    /// carries the settings it samples with.
    /// </summary>
    internal static (long Steps, double CfgScale)? SamplingOf(StageSymbol stage, Binding.SemanticModel model)
    {
        if (stage.Role is not (StageRole.Model or StageRole.Align) || stage.Kind.Produces != ArtifactType.Generator)
        {
            return null;
        }

        if (stage.Find("sampling_steps") is { Definition.SamplingSetting: true, Value: BoundInteger steps }
            && stage.Find("cfg_scale") is { Definition.SamplingSetting: true, Value: var scale })
        {
            return (steps.Value, scale is BoundReal real ? real.Value : scale is BoundInteger whole ? whole.Value : 1.0);
        }

        return stage.Find("policy")?.Value is BoundReference { Steps.IsEmpty: true } policy && model.FindStage(policy.Stage) is { } upstream
            ? SamplingOf(upstream, model)
            : null;
    }

    /// <summary>
    /// Assignments for one written property. Records that always exist (required or defaulted) are assigned field by
    /// field; optional records (<c>lora</c>) are created whole, with every field.
    /// </summary>
    private IEnumerable<AssignmentView> Assign(ITypeSymbol optionsType, BoundProperty property, int line)
    {
        var name = NamesOf.Pascal(property.Name);
        var member = ValueEmitter.FindProperty(optionsType, name) ?? throw new MissingRuntimeMemberException(property.Name);
        if (property.Value is BoundMap { IsRecord: true } record && property.Definition.Type is RecordType
            && (property.Definition.Required || property.Definition.Default is not null))
        {
            foreach (var field in record.Fields)
            {
                var fieldName = NamesOf.Pascal(field.Name);
                var fieldMember = ValueEmitter.FindProperty(member.Type, fieldName) ?? throw new MissingRuntimeMemberException(property.Name + "." + field.Name);
                yield return new AssignmentView(line, $"{name}.{fieldName}", values.Expression(field.Value, fieldMember.Type));
            }

            yield break;
        }

        yield return new AssignmentView(line, name, values.Expression(property.Value, member.Type));
    }

    /// <summary>The .pipe line of a span; values from --set map to the stage's line, since they are not in the file.</summary>
    private int Line(TextSpan span, string? path, TextSpan fallback)
    {
        var inFile = path is null || path == source.Path;
        var at = inFile ? span : fallback;
        var line = source.GetLineColumn(at.Start).Line;
        LineSpans.TryAdd(line, at);
        return line;
    }

    private void Report(StageSymbol stage, TextSpan span, Diagnostic diagnostic) =>
        diagnostics.Add(diagnostic with { Path = stage.SourcePath });
}

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
/// Lowers the semantic model to the template's view model: for each stage every property of its kind, defaults
/// included, as a typed C# expression of the runtime type the catalogue names (looked up with Roslyn in the reference
/// assemblies), and for a kind that trains the MLContext catalog call that makes its estimator. A kind, property, type,
/// member or catalog the runtime lacks, or an options property of another type than the catalogue's, is a PIPE3001,
/// PIPE3002, PIPE3030, PIPE3031 or PIPE3032 diagnostic at the stage or property.
/// </summary>
internal sealed class ExperimentLowering(Compilation compilation, Microsoft.CodeAnalysis.Compilation references)
{
    private readonly ValueEmitter values = new(references, compilation.SemanticModel);
    private readonly SortedSet<string> usings = new(StringComparer.Ordinal);
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
            evidence,
            usings.ToList());
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
        var kindNamespace = $"{ValueEmitter.KindsNamespace}.{pascal}";
        var optionsType = references.GetTypeByMetadataName($"{kindNamespace}.{pascal}Options");
        var stageType = references.GetTypeByMetadataName($"{kindNamespace}.{pascal}Stage");
        if (optionsType is null || stageType is null)
        {
            Report(stage, stage.Span, CompilerDiagnostics.RuntimeLacksKind(stage.NameSpan, stage.Kind.Name, optionsType is null ? $"{pascal}Options" : $"{pascal}Stage"));
            return null;
        }

        if (values.Resolve(stage.Kind.Artifact) is null)
        {
            Report(stage, stage.Span, CompilerDiagnostics.RuntimeLacksType(stage.NameSpan, stage.Kind.Artifact.MetadataName, $"what a '{stage.Kind.Name}' stage produces"));
            return null;
        }

        var stageLine = Line(stage.Span, stage.SourcePath, stage.Span);
        var before = diagnostics.Count;
        CheckOptionsTypes(stage, optionsType);
        var assignments = new List<AssignmentView>();
        foreach (var property in stage.Properties)
        {
            var line = property.IsDefault ? stageLine : Line(property.Span, property.SourcePath, stage.NameSpan);
            var name = NamesOf.Pascal(property.Name);
            if (ValueEmitter.FindProperty(optionsType, name) is not { } member)
            {
                continue;
            }

            try
            {
                assignments.Add(new AssignmentView(line, name, values.Expression(property.Value, property.Definition.Type, member.Type)));
            }
            catch (MissingRuntimeMemberException missing)
            {
                Report(stage, property.Span, CompilerDiagnostics.RuntimeLacksMember(At(stage, property), stage.Kind.Name, property.Name, missing.Member));
            }
        }

        var estimator = EstimatorCall(stage, pascal, optionsType, stageType);
        if (diagnostics.Count > before)
        {
            return null;
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
            estimator,
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
    /// Every catalogue property of the kind has an options property of the runtime type the catalogue names (PIPE3002,
    /// PIPE3030, PIPE3031 at the stage otherwise), and so has every field of a record-valued one.
    /// </summary>
    private void CheckOptionsTypes(StageSymbol stage, ITypeSymbol optionsType)
    {
        void Check(ITypeSymbol owner, IEnumerable<PropertyDefinition> properties, string prefix)
        {
            foreach (var property in properties)
            {
                var name = prefix + property.Name;
                var at = prefix.Length == 0 && stage.Find(property.Name) is { } written ? At(stage, written) : stage.NameSpan;
                if (ValueEmitter.FindProperty(owner, NamesOf.Pascal(property.Name)) is not { } member)
                {
                    Report(stage, stage.Span, CompilerDiagnostics.RuntimeLacksProperty(at, stage.Kind.Name, name));
                    continue;
                }

                if (property.Type.RuntimeType is not { } runtimeType)
                {
                    continue;
                }

                if (values.Resolve(runtimeType) is not { } expected)
                {
                    Report(stage, stage.Span, CompilerDiagnostics.RuntimeLacksType(at, runtimeType.MetadataName, $"the type of '{stage.Kind.Name}.{name}'"));
                }
                else if (!ValueEmitter.SameType(member.Type, expected))
                {
                    Report(stage, stage.Span, CompilerDiagnostics.RuntimeTypeMismatch(at, stage.Kind.Name, name, member.Type.ToDisplayString(), runtimeType.ToString()));
                }
                else if (property.Type is RecordType record)
                {
                    Check(expected, record.Fields, name + ".");
                }
            }
        }

        Check(optionsType, stage.Kind.Properties, string.Empty);
    }

    /// <summary>
    /// For a kind whose stage takes an estimator (a kind that trains), the MLContext catalog call that makes it from the
    /// options: <c>context.MLContextFor("dpo").Alignment().FlowDpo(options)</c>, with the catalog's namespaces added to
    /// the usings; null for a kind whose stage takes its options. PIPE3032 when the stage takes something no catalog makes.
    /// </summary>
    private string? EstimatorCall(StageSymbol stage, string pascal, ITypeSymbol optionsType, INamedTypeSymbol stageType)
    {
        var runs = stageType.GetMembers("Run").OfType<IMethodSymbol>().Where(m => m.IsStatic && m.Parameters.Length == 3).ToList();
        if (runs.Any(m => ValueEmitter.SameType(m.Parameters[2].Type, optionsType)))
        {
            return null;
        }

        var accessor = RoleCatalogs.Accessor(stage.Kind.Role);
        var catalog = ExtensionMethods(ValueEmitter.KindsNamespace, accessor).FirstOrDefault(m => m.Parameters.Length == 1 && m.Parameters[0].Type.Name == "MLContext");
        var make = catalog is null ? null : ExtensionMethods($"{ValueEmitter.KindsNamespace}.{pascal}", pascal)
            .FirstOrDefault(m => m.Parameters.Length == 2 && ValueEmitter.SameType(m.Parameters[0].Type, catalog.ReturnType) && ValueEmitter.SameType(m.Parameters[1].Type, optionsType)
                && runs.Any(r => ValueEmitter.SameType(r.Parameters[2].Type, m.ReturnType)));
        if (catalog is null || make is null)
        {
            Report(stage, stage.Span, CompilerDiagnostics.RuntimeLacksCatalog(stage.NameSpan, stage.Kind.Name, $"{accessor}().{pascal}({pascal}Options)"));
            return null;
        }

        usings.Add(catalog.ContainingNamespace.ToDisplayString());
        usings.Add(make.ContainingNamespace.ToDisplayString());
        return $"context.MLContextFor({ValueEmitter.String(stage.Name)}).{accessor}().{pascal}(options)";
    }

    /// <summary>The public static extension methods named <paramref name="name"/> of the static classes of a namespace.</summary>
    private IEnumerable<IMethodSymbol> ExtensionMethods(string namespaceName, string name)
    {
        INamespaceSymbol? space = references.GlobalNamespace;
        foreach (var part in namespaceName.Split('.'))
        {
            space = space?.GetNamespaceMembers().FirstOrDefault(n => n.Name == part);
        }

        return space is null
            ? []
            : space.GetTypeMembers().Where(t => t.IsStatic && t.DeclaredAccessibility == Accessibility.Public)
                .SelectMany(t => t.GetMembers(name).OfType<IMethodSymbol>())
                .Where(m => m.IsExtensionMethod && m.DeclaredAccessibility == Accessibility.Public);
    }

    /// <summary>Where a problem with a property's value is reported: the value in the file, else the stage's name.</summary>
    private TextSpan At(StageSymbol stage, BoundProperty property) =>
        !property.IsDefault && property.SourcePath == source.Path ? property.Span : stage.NameSpan;

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

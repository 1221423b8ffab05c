using System.Collections.Immutable;
using System.Globalization;
using Pipeline.Catalog;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>
/// Binds a (composed, overridden) syntax tree to stage symbols: kinds and roles, properties checked against the
/// catalogue with defaults filled in, references resolved to stages and members, inline stages lifted out, sweeps
/// collected. The checks each kind declares in the catalogue run afterwards in <see cref="KindChecks"/>.
/// </summary>
internal sealed partial class Binder
{
    private readonly ExperimentSyntax experiment;
    private readonly string filePath;
    private readonly IReadOnlyDictionary<object, string> origins;
    private readonly List<Diagnostic> diagnostics = new();
    private readonly Dictionary<string, StageSymbol> stages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StageSyntax> declarations = new(StringComparer.Ordinal);
    private readonly List<SweepAxis> sweeps = new();

    // Stages whose kind is unknown (PIPE1002): their names are declared, so that a reference to one is not also "No
    // stage is named", but nothing can be said about what they produce.
    private readonly HashSet<string> unknownKindStages = new(StringComparer.Ordinal);

    // Stages named in values that did not bind (an unknown property or map key, a value of the wrong type, a stage of an
    // unknown kind): they are read as far as the writer meant, so they are not reported as unused (PIPE1011).
    private readonly HashSet<string> mentioned = new(StringComparer.Ordinal);
    private string currentPath;

    private Binder(ExperimentSyntax experiment, string filePath, IReadOnlyDictionary<object, string> origins)
    {
        this.experiment = experiment;
        this.filePath = filePath;
        this.origins = origins;
        currentPath = filePath;
    }

    // origins: the file (or --set text) each stage and property node was written in; absent means filePath.
    public static SemanticModel Bind(ExperimentSyntax experiment, string filePath, string sourceDirectory, IReadOnlyDictionary<object, string> origins)
    {
        var binder = new Binder(experiment, filePath, origins);
        return binder.Run(sourceDirectory);
    }

    private SemanticModel Run(string sourceDirectory)
    {
        var (seed, device, replicates) = BindExperimentProperties();
        DeclareStages();
        foreach (var (name, syntax) in declarations.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            BindStage(stages[name], syntax.Properties);
        }

        var ordered = stages.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToImmutableArray();
        foreach (var stage in ordered)
        {
            stage.Dependencies = stage.Properties
                .SelectMany(p => References(p.Value))
                .Select(r => r.Stage)
                .Where(stages.ContainsKey)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToImmutableArray();
        }

        var model = new SemanticModel(experiment.Name.Name, seed, device, ordered, sweeps.OrderBy(s => s.Path, StringComparer.Ordinal).ToImmutableArray(), experiment.Name.Span, filePath)
        {
            Replicates = replicates,
        };
        var hasCycle = FindCycles(model);
        var shapes = new ArtifactShapes(model);
        new KindChecks(model, shapes, diagnostics, sourceDirectory, mentioned).Run(hasCycle);
        model.Expectations = new ExpectationChecks(model, shapes, diagnostics).Bind(experiment.Members.OfType<ExpectationSyntax>().Select(e => (e, PathOf(e))));
        model.Diagnostics = diagnostics
            .OrderBy(d => d.Path == filePath ? 0 : 1)
            .ThenBy(d => d.Path, StringComparer.Ordinal)
            .ThenBy(d => d.Span.Start)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToImmutableArray();
        return model;
    }

    /// <summary>
    /// Stages and experiment properties declared twice in one file. Checked per file, before composition merges
    /// members by name (where a later file replacing a stage is intended, a repeat within one file is a mistake).
    /// </summary>
    internal static IEnumerable<Diagnostic> Duplicates(ExperimentSyntax experiment, string path)
    {
        var stages = new HashSet<string>(StringComparer.Ordinal);
        var properties = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in experiment.Members)
        {
            switch (member)
            {
                case StageSyntax stage when !stages.Add(stage.Name.Name):
                    yield return CompilerDiagnostics.DuplicateStage(stage.Name.Span, stage.Name.Name) with { Path = path };
                    break;
                case PropertySyntax property when !properties.Add(property.Name.Name):
                    yield return CompilerDiagnostics.DuplicateProperty(property.Name.Span, property.Name.Name) with { Path = path };
                    break;
            }
        }
    }

    /// <summary>Every reference a value holds, including call arguments (<c>relabel(vr)</c>).</summary>
    internal static IEnumerable<BoundReference> References(BoundValue value) => value switch
    {
        BoundReference reference => reference.Steps.SelectMany(s => s.Arguments).SelectMany(a => References(a.Value)).Prepend(reference),
        BoundReferenceList list => list.Items.SelectMany(References),
        BoundList list => list.Items.SelectMany(References),
        BoundMap map => map.Fields.SelectMany(f => References(f.Value)),
        BoundVariant variant => variant.Arguments.SelectMany(f => References(f.Value)).Concat(variant.Plain is null ? [] : References(variant.Plain)),
        _ => Enumerable.Empty<BoundReference>(),
    };

    private (int Seed, string Device, int Replicates) BindExperimentProperties()
    {
        var seed = 0;
        var device = "auto";
        var replicates = 1;
        PropertySyntax? replicatesSyntax = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in experiment.Members.OfType<PropertySyntax>())
        {
            currentPath = PathOf(property);
            var definition = StageCatalog.ExperimentProperties.FirstOrDefault(p => p.Name == property.Name.Name);
            if (definition is null)
            {
                Report(CompilerDiagnostics.UnknownExperimentProperty(property.Name.Span, property.Name.Name, StageCatalog.ExperimentProperties.Select(p => p.Name)));
                continue;
            }

            if (!seen.Add(definition.Name))
            {
                Report(CompilerDiagnostics.DuplicateProperty(property.Name.Span, definition.Name));
                continue;
            }

            var value = BindPropertyValue(property.Value, definition, new Context(null, definition.Name));
            switch (value)
            {
                case BoundInteger integer when definition.Name == "seed":
                    seed = (int)integer.Value;
                    break;
                case BoundString text when definition.Name == "device":
                    device = text.Value;
                    if (!Devices.IsValid(text.Value))
                    {
                        // The runtime accepts exactly these; without this check, check passed what run refused.
                        Report(CompilerDiagnostics.InvalidDevice(property.Value.Span, text.Value));
                    }

                    break;
                case BoundInteger count when definition.Name == "replicates":
                    replicates = (int)count.Value;
                    replicatesSyntax = property;
                    break;
            }
        }

        // Replicate k runs on seed + k (SemanticModel.ReplicateSeeds): the last one must still be a seed.
        if (replicatesSyntax is not null && (long)seed + replicates - 1 > int.MaxValue)
        {
            currentPath = PathOf(replicatesSyntax);
            Report(CompilerDiagnostics.ReplicateSeedOutOfRange(replicatesSyntax.Value.Span, seed, replicates));
            replicates = 1;
        }

        currentPath = filePath;
        return (seed, device, replicates);
    }

    private void DeclareStages()
    {
        foreach (var syntax in experiment.Members.OfType<StageSyntax>())
        {
            currentPath = PathOf(syntax);
            var name = syntax.Name.Name;
            if (declarations.ContainsKey(name))
            {
                Report(CompilerDiagnostics.DuplicateStage(syntax.Name.Span, name));
                continue;
            }

            var kind = StageCatalog.FindKind(syntax.Kind.Name);
            if (kind is null)
            {
                Report(CompilerDiagnostics.UnknownKind(syntax.Kind.Span, syntax.Kind.Name, StageCatalog.Kinds.Select(k => k.Name)));
                unknownKindStages.Add(name);
                foreach (var property in syntax.Properties)
                {
                    Mention(property.Value);
                }

                continue;
            }

            if (!RoleKeywords.ByKeyword.TryGetValue(syntax.Role.Name, out var role) || role != kind.Role)
            {
                Report(CompilerDiagnostics.RoleDoesNotFitKind(syntax.Role.Span, syntax.Role.Name, kind.Name, RoleKeywords.Keyword(kind.Role)));
            }

            declarations[name] = syntax;
            stages[name] = new StageSymbol(name, kind.Role, kind, syntax.Span, syntax.Name.Span, currentPath, null);
        }
    }

    private void BindStage(StageSymbol stage, ImmutableArray<PropertySyntax> written)
    {
        // A property whose value did not bind maps to null, so that it is not also reported as missing.
        var bound = new Dictionary<string, BoundProperty?>(StringComparer.Ordinal);
        foreach (var property in written)
        {
            currentPath = origins.TryGetValue(property, out var origin) ? origin : stage.SourcePath;
            var definition = stage.Kind.FindProperty(property.Name.Name);
            if (definition is null)
            {
                Report(CompilerDiagnostics.UnknownProperty(property.Name.Span, property.Name.Name, stage.Kind.Name, stage.Kind.Properties.Select(p => p.Name)));
                Mention(property.Value);
                continue;
            }

            if (bound.ContainsKey(definition.Name))
            {
                Report(CompilerDiagnostics.DuplicateProperty(property.Name.Span, definition.Name));
                Mention(property.Value);
                continue;
            }

            var value = BindPropertyValue(property.Value, definition, new Context(stage, definition.Name));
            if (value is null)
            {
                Mention(property.Value);
            }

            bound[definition.Name] = value is null ? null : new BoundProperty(definition, value, false, property.Span, currentPath);
        }

        currentPath = stage.SourcePath;
        var properties = ImmutableArray.CreateBuilder<BoundProperty>();
        foreach (var definition in stage.Kind.Properties)
        {
            if (bound.TryGetValue(definition.Name, out var property))
            {
                if (property is not null)
                {
                    properties.Add(property);
                }

                continue;
            }

            if (definition.Required)
            {
                Report(CompilerDiagnostics.MissingProperty(stage.NameSpan, definition.Name, stage.Name, definition.Type.Describe()));
                continue;
            }

            var fallback = DefaultValue(definition, stage.NameSpan);
            if (fallback is not null)
            {
                properties.Add(new BoundProperty(definition, fallback, true, stage.NameSpan, null));
            }
        }

        stage.Properties = properties.ToImmutable();
    }

    private BoundValue? BindPropertyValue(ValueSyntax syntax, PropertyDefinition definition, Context context)
    {
        if (syntax is SweepSyntax sweep)
        {
            return BindSweep(sweep, definition.Type, definition.Default, context, context.Stage is null ? definition.Name : $"{context.Stage.Name}.{definition.Name}");
        }

        return BindValue(syntax, definition.Type, definition.Default, context);
    }

    private BoundValue? BindSweep(SweepSyntax sweep, PropertyType type, object? fallback, Context context, string path)
    {
        if (sweep.Points.Items.IsEmpty)
        {
            Report(CompilerDiagnostics.EmptySweep(sweep.Span));
            return null;
        }

        if (context.Stage?.IsInline == true)
        {
            Report(CompilerDiagnostics.SweepNotAllowed(sweep.Span));
            return null;
        }

        BoundValue? first = null;
        foreach (var point in sweep.Points.Items)
        {
            var value = BindValue(point, type, fallback, context);
            first ??= value;
        }

        sweeps.Add(new SweepAxis(path, sweep.Points.Items, sweep.Span, currentPath));
        if (SemanticModel.Runs(sweeps) > SemanticModel.MaxSweepRuns && !diagnostics.Any(d => d.Code == CompilerDiagnostics.SweepTooLargeCode))
        {
            Report(CompilerDiagnostics.SweepTooLarge(sweep.Span, SemanticModel.MaxSweepRuns));
        }

        return first;
    }

    /// <summary>Remembers the stages a value names (the head of each reference), for a value that did not bind.</summary>
    private void Mention(ValueSyntax value)
    {
        switch (value)
        {
            case ReferenceSyntax reference:
                mentioned.Add(reference.Parts[0].Name);
                break;
            case CallSyntax call:
                Mention(call.Callee);
                foreach (var argument in call.Arguments)
                {
                    Mention(argument.Value);
                }

                break;
            case ListSyntax list:
                foreach (var item in list.Items)
                {
                    Mention(item);
                }

                break;
            case MapSyntax map:
                foreach (var entry in map.Entries)
                {
                    Mention(entry.Value);
                }

                break;
            case InlineStageSyntax inline:
                foreach (var property in inline.Properties)
                {
                    Mention(property.Value);
                }

                break;
            case SweepSyntax sweep:
                Mention(sweep.Points);
                break;
        }
    }

    /// <summary>The stage names a reference may use, for "did you mean" and the list of choices.</summary>
    private IEnumerable<string> DeclaredStageNames() =>
        stages.Values.Where(s => !s.IsInline).Select(s => s.Name).Concat(unknownKindStages).Order(StringComparer.Ordinal);

    private string PathOf(SyntaxNode node) => origins.TryGetValue(node, out var path) ? path : filePath;

    private void Report(Diagnostic diagnostic) => diagnostics.Add(diagnostic with { Path = currentPath });

    /// <summary>The catalogue default of a property as a bound value, at the span of its owner.</summary>
    internal static BoundValue? DefaultValue(PropertyDefinition definition, TextSpan span)
    {
        if (definition.Type is RecordType record && (definition.Required || definition.Default is not null))
        {
            var overrides = definition.Default as IReadOnlyDictionary<string, object>;
            return new BoundMap(span, record.Fields
                .Select(f => (Field: f, Value: overrides is not null && overrides.TryGetValue(f.Name, out var v) ? v : f.Default))
                .Where(f => f.Value is not null || f.Field.Type is RecordType)
                .Select(f => new BoundField(f.Field.Name, FromClr(f.Value!, f.Field.Type, span)))
                .ToImmutableArray(), true);
        }

        return definition.Default is null ? null : FromClr(definition.Default, definition.Type, span);
    }

    /// <summary>Turns a catalogue CLR default into a bound value of the given type.</summary>
    internal static BoundValue FromClr(object value, PropertyType type, TextSpan span)
    {
        switch (type)
        {
            case UnionType union:
                foreach (var alternative in union.Alternatives)
                {
                    if (alternative is EnumType e && value is string word && e.Values.Contains(word))
                    {
                        return new BoundString(span, word, IsWord: true);
                    }

                    if (alternative is StringType or PathType && value is string text)
                    {
                        return new BoundString(span, text, IsPath: alternative is PathType);
                    }
                }

                throw new InvalidOperationException($"catalogue default {value} fits no alternative of {type.Describe()}");
            case EnumType:
                return new BoundString(span, (string)value, IsWord: true);
            case PathType:
                return new BoundString(span, (string)value, IsPath: true);
            case ListType list:
                return new BoundList(span, ((IEnumerable<object>)value).Select(v => FromClr(v, list.Element, span)).ToImmutableArray());
            case DictionaryType dictionary:
                return new BoundMap(span, ((IReadOnlyDictionary<string, object>)value).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new BoundField(p.Key, FromClr(p.Value, dictionary.Value, span))).ToImmutableArray(), false);
            case RecordType record:
                var map = (IReadOnlyDictionary<string, object>)value;
                return new BoundMap(span, record.Fields.Where(f => map.ContainsKey(f.Name) || f.Default is not null).Select(f => new BoundField(f.Name, FromClr(map.TryGetValue(f.Name, out var v) ? v : f.Default!, f.Type, span))).ToImmutableArray(), true);
            case VariantType variant:
                var variantValue = (VariantValue)value;
                var @case = variant.Cases.First(c => c.Name == variantValue.Case);
                if (@case.Name is null)
                {
                    return BoundVariant.OfPlain(FromClr(variantValue.Plain!, @case.PlainValue!, span));
                }

                return new BoundVariant(span, @case.Name, @case.Parameters
                    .Select(p => new BoundField(p.Name, FromClr(variantValue.Arguments.TryGetValue(p.Name, out var v) ? v : p.Default!, p.Type, span)))
                    .ToImmutableArray());
            case RealType:
                return new BoundReal(span, Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case IntegerType:
                return new BoundInteger(span, Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case BooleanType:
                return new BoundBoolean(span, (bool)value);
            case StringType:
                return new BoundString(span, (string)value);
            default:
                throw new InvalidOperationException($"no catalogue default can be of type {type.Describe()}");
        }
    }

    private sealed record Context(StageSymbol? Stage, string Property);
}

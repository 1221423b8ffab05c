using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.LanguageServer.Analysis;

/// <summary>What a name written in a file is.</summary>
internal enum SymbolRole
{
    ExperimentName,
    ExtendsPath,
    Role,
    StageDeclaration,
    StageReference,
    Kind,
    Property,
    ExperimentProperty,
    Member,
    Word,
    Key,
    Argument,
}

/// <summary>
/// One name in the text and what it is. <see cref="Kind"/> is the stage kind of a stage name, the kind itself, or
/// the kind a property belongs to; <see cref="Definition"/> the catalogue entry of a property, map key or argument;
/// <see cref="Type"/> the type whose word or key a <see cref="SymbolRole.Word"/> or <see cref="SymbolRole.Key"/> is.
/// </summary>
internal sealed record Occurrence(TextSpan Span, SymbolRole Role, string Name)
{
    public StageKind? Kind { get; init; }

    public PropertyDefinition? Definition { get; init; }

    public MemberInfo? Member { get; init; }

    public PropertyType? Type { get; init; }
}

/// <summary>
/// Every name of one file, classified by walking the syntax tree with the catalogue's types, the way the binder reads
/// it: a word is a stage reference only where the property's type expects a reference, so <c>ties = keep</c> never
/// names a stage called <c>keep</c>. Hover, go to definition, find references and rename all read this index.
/// </summary>
internal sealed class SymbolIndex
{
    private readonly Func<string, StageKind?> kindOfStage;
    private readonly List<Occurrence> found = [];

    private SymbolIndex(Func<string, StageKind?> kindOfStage)
    {
        this.kindOfStage = kindOfStage;
    }

    public ImmutableArray<Occurrence> Occurrences { get; private set; } = ImmutableArray<Occurrence>.Empty;

    /// <param name="experiment">The file's own experiment (not the composed one: spans must lie in this file).</param>
    /// <param name="kindOfStage">The kind of a stage of the composed experiment, so that overrides and references to inherited stages resolve.</param>
    public static SymbolIndex Build(ExperimentSyntax experiment, Func<string, StageKind?> kindOfStage)
    {
        var index = new SymbolIndex(kindOfStage);
        index.Experiment(experiment);
        index.Occurrences = index.found.OrderBy(o => o.Span.Start).ToImmutableArray();
        return index;
    }

    /// <summary>The name under an offset (a cursor just after a name still touches it); the narrowest when several do.</summary>
    public Occurrence? At(int offset) => Occurrences
        .Where(o => o.Span.Start <= offset && offset <= o.Span.End)
        .OrderBy(o => o.Span.Length)
        .FirstOrDefault();

    /// <summary>Declarations of and references to the stage <paramref name="name"/>.</summary>
    public IEnumerable<Occurrence> StageOccurrences(string name) =>
        Occurrences.Where(o => o.Name == name && o.Role is SymbolRole.StageDeclaration or SymbolRole.StageReference);

    private void Add(SyntaxNode node, SymbolRole role, string name, StageKind? kind = null, PropertyDefinition? definition = null, MemberInfo? member = null, PropertyType? type = null)
    {
        if (node.Span.Length > 0)
        {
            found.Add(new Occurrence(node.Span, role, name) { Kind = kind, Definition = definition, Member = member, Type = type });
        }
    }

    private void Experiment(ExperimentSyntax experiment)
    {
        Add(experiment.Name, SymbolRole.ExperimentName, experiment.Name.Name);
        if (experiment.Extends is { } extends)
        {
            Add(extends.Path, SymbolRole.ExtendsPath, extends.Path.Value);
        }

        foreach (var member in experiment.Members)
        {
            switch (member)
            {
                case StageSyntax stage:
                    var kind = StageCatalog.FindKind(stage.Kind.Name);
                    Add(stage.Role, SymbolRole.Role, stage.Role.Name);
                    Add(stage.Name, SymbolRole.StageDeclaration, stage.Name.Name, kind);
                    if (kind is not null)
                    {
                        Add(stage.Kind, SymbolRole.Kind, kind.Name, kind);
                    }

                    Properties(stage.Properties, kind);
                    break;
                case PropertySyntax property:
                    var definition = StageCatalog.ExperimentProperties.FirstOrDefault(p => p.Name == property.Name.Name);
                    if (definition is not null)
                    {
                        Add(property.Name, SymbolRole.ExperimentProperty, definition.Name, definition: definition);
                    }

                    Value(property.Value, definition?.Type);
                    break;
                case OverrideSyntax @override:
                    Value(@override.Value, Override(@override.Target));
                    break;
            }
        }
    }

    /// <summary>Classifies <c>STAGE.PROPERTY[.KEY...]</c> and returns the type of what it sets.</summary>
    private PropertyType? Override(ImmutableArray<IdentifierSyntax> target)
    {
        var kind = kindOfStage(target[0].Name);
        Add(target[0], SymbolRole.StageReference, target[0].Name, kind);
        var definition = kind?.FindProperty(target.Length > 1 ? target[1].Name : string.Empty);
        if (definition is null)
        {
            return null;
        }

        Add(target[1], SymbolRole.Property, definition.Name, kind, definition);
        var type = definition.Type;
        for (var i = 2; i < target.Length && type is not null; i++)
        {
            type = Key(target[i], type);
        }

        return type;
    }

    private void Properties(ImmutableArray<PropertySyntax> properties, StageKind? kind)
    {
        foreach (var property in properties)
        {
            var definition = kind?.FindProperty(property.Name.Name);
            if (definition is not null)
            {
                Add(property.Name, SymbolRole.Property, definition.Name, kind, definition);
            }

            Value(property.Value, definition?.Type);
        }
    }

    private void Value(ValueSyntax value, PropertyType? type)
    {
        switch (value)
        {
            case SweepSyntax sweep:
                foreach (var point in sweep.Points.Items)
                {
                    Value(point, type);
                }

                break;
            case ReferenceSyntax reference:
                Reference(reference, type);
                break;
            case CallSyntax call:
                Call(call, type);
                break;
            case ListSyntax list:
                foreach (var item in list.Items)
                {
                    Value(item, CatalogTypes.ElementOf(type));
                }

                break;
            case MapSyntax map:
                foreach (var entry in map.Entries)
                {
                    Value(entry.Value, Key(entry.Key, type));
                }

                break;
            case InlineStageSyntax inline:
                var kind = StageCatalog.FindKind(inline.Kind.Name);
                if (kind is not null)
                {
                    Add(inline.Kind, SymbolRole.Kind, kind.Name, kind);
                }

                Properties(inline.Properties, kind);
                break;
        }
    }

    /// <summary>Classifies a map key (or an override's key) of a value of <paramref name="type"/>; returns the type of its value.</summary>
    private PropertyType? Key(IdentifierSyntax key, PropertyType? type)
    {
        if (CatalogTypes.Find<RecordType>(type) is { } record)
        {
            var field = record.Fields.FirstOrDefault(f => f.Name == key.Name);
            if (field is not null)
            {
                Add(key, SymbolRole.Key, key.Name, definition: field, type: record);
            }

            return field?.Type;
        }

        if (CatalogTypes.Find<DictionaryType>(type) is { } dictionary)
        {
            Add(key, SymbolRole.Key, key.Name, type: dictionary);
            return dictionary.Value;
        }

        return null;
    }

    private void Reference(ReferenceSyntax reference, PropertyType? type)
    {
        var head = reference.Parts[0];
        if (reference.Parts.Length == 1 && CatalogTypes.Words(type).Contains(head.Name))
        {
            Add(head, SymbolRole.Word, head.Name, type: type);
        }
        else if (CatalogTypes.ExpectsReference(type) || (type is null && kindOfStage(head.Name) is not null))
        {
            StageChain(reference.Parts);
        }
        else if (reference.Parts.Length == 1 && CatalogTypes.Words(type).Count > 0)
        {
            // A word the type does not allow: still a word (hover lists the allowed ones, the diagnostic says the rest).
            Add(head, SymbolRole.Word, head.Name, type: type);
        }
    }

    private void Call(CallSyntax call, PropertyType? type)
    {
        var parts = call.Callee.Parts;
        var variant = parts.Length == 1 ? CatalogTypes.Find<VariantType>(type)?.Cases.FirstOrDefault(c => c.Name == parts[0].Name) : null;
        if (variant is not null)
        {
            Add(parts[0], SymbolRole.Word, parts[0].Name, type: type);
            Arguments(call.Arguments, variant.Parameters);
            return;
        }

        Arguments(call.Arguments, StageChain(parts)?.Parameters ?? []);
    }

    private void Arguments(ImmutableArray<ArgumentSyntax> arguments, IReadOnlyList<PropertyDefinition> parameters)
    {
        for (var i = 0; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            var parameter = argument.Name is null ? parameters.ElementAtOrDefault(i) : parameters.FirstOrDefault(p => p.Name == argument.Name.Name);
            if (argument.Name is not null && parameter is not null)
            {
                Add(argument.Name, SymbolRole.Argument, parameter.Name, definition: parameter);
            }

            Value(argument.Value, parameter?.Type);
        }
    }

    /// <summary>Classifies <c>stage.member.member</c>; returns the last member, whose parameters a call's arguments fill.</summary>
    private MemberInfo? StageChain(ImmutableArray<IdentifierSyntax> parts)
    {
        var kind = kindOfStage(parts[0].Name);
        Add(parts[0], SymbolRole.StageReference, parts[0].Name, kind);
        var artifact = kind?.Produces;
        MemberInfo? member = null;
        for (var i = 1; i < parts.Length; i++)
        {
            member = artifact is { } owner ? StageCatalog.FindMember(owner, parts[i].Name) : null;
            if (member is null)
            {
                return null;
            }

            Add(parts[i], SymbolRole.Member, member.Name, member: member);
            artifact = member.Result;
        }

        return member;
    }
}

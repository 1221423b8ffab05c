using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Catalog.Checks;

namespace Pipeline.Compiler.Binding;

/// <summary>
/// The shapes of what stages produce (<see cref="ArtifactShape"/>), read off each kind's <see cref="ShapeRule"/> in the
/// catalogue and followed through members: <c>prefs.train</c> has the shape of <c>prefs</c>, <c>world.eval_prompts</c>
/// is counted by the world's <c>eval_prompts</c>. A stage met again while its shape is computed (a cycle) is unknown.
/// </summary>
internal sealed class ArtifactShapes(SemanticModel model)
{
    private readonly Dictionary<string, ArtifactShape> shapes = new(StringComparer.Ordinal);
    private readonly HashSet<string> computing = new(StringComparer.Ordinal);

    /// <summary>The shape of what a reference gives: the stage's shape followed through its members.</summary>
    public ArtifactShape Of(BoundReference reference)
    {
        var stage = model.FindStage(reference.Stage);
        var shape = stage is null ? new ArtifactShape(reference.Type, []) : Of(stage);
        for (var i = 0; i < reference.Steps.Length; i++)
        {
            var member = StageCatalog.FindMember(shape.Type, reference.Steps[i].Member)!;
            var count = i == 0 && member.CountedBy is { } property && stage?.Find(property)?.Value is BoundInteger counted ? counted.Value : (long?)null;
            shape = shape with { Type = member.Result, Count = count };
        }

        return shape;
    }

    public ArtifactShape Of(StageSymbol stage)
    {
        if (shapes.TryGetValue(stage.Name, out var known))
        {
            return known;
        }

        if (!computing.Add(stage.Name))
        {
            return new ArtifactShape(stage.Kind.Produces, []);
        }

        var rule = stage.Kind.Shape;
        var shape = new ArtifactShape(
            stage.Kind.Produces,
            rule.Dimensions is null ? [] : Fact(stage, rule.Dimensions, Words, s => s.Dimensions) ?? [],
            rule.Ties is null ? null : Fact(stage, rule.Ties, v => (v as BoundString)?.Value, s => s.Ties),
            rule.Noisy is null ? null : Fact(stage, rule.Noisy, v => (v as BoundBoolean)?.Value, s => s.Noisy))
        {
            Frames = rule.Frames is null ? null : Fact(stage, rule.Frames, v => (v as BoundInteger)?.Value, s => s.Frames),
            Resolution = rule.Resolution is null ? null : Fact(stage, rule.Resolution, Integers, s => s.Resolution),
        };
        computing.Remove(stage.Name);
        shapes[stage.Name] = shape;
        return shape;
    }

    /// <summary>One fact of a stage's shape, from where its kind says: its own property, its input's shape, or a constant.</summary>
    private T? Fact<T>(StageSymbol stage, ShapeSource source, Func<BoundValue, T?> read, Func<ArtifactShape, T?> ofInput) => source switch
    {
        FromProperty own => stage.Find(own.Property)?.Value is { } value ? read(value) : default,
        FromInput input => stage.Find(input.Property)?.Value is BoundReference reference ? ofInput(Of(reference)) : default,
        Always always => read(new BoundList(stage.NameSpan, always.Words.Select(w => (BoundValue)new BoundString(stage.NameSpan, w, IsWord: true)).ToImmutableArray())),
        _ => throw new InvalidOperationException($"no reading of the shape source {source}"),
    };

    private static ImmutableArray<string>? Words(BoundValue value) =>
        value is BoundList list ? list.Items.OfType<BoundString>().Select(s => s.Value).ToImmutableArray() : null;

    private static ImmutableArray<long>? Integers(BoundValue value) =>
        value is BoundList list ? list.Items.OfType<BoundInteger>().Select(i => i.Value).ToImmutableArray() : null;
}

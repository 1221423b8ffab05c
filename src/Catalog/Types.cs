namespace Pipeline.Catalog;

/// <summary>Shorthands for the types the kinds share, so each kind's file reads like its documentation.</summary>
internal static class Types
{
    public static readonly EnumType Dimension = new(DimensionNames.Rated, RuntimeType.Named("Pipeline.Runtime.Data.PreferenceDimension"));
    public static readonly ListType Dimensions = new(Dimension, 1, 3, Unique: true);
    public static readonly IReadOnlyList<object> AllDimensions = DimensionNames.Rated.ToArray<object>();
    public static readonly RealType LearningRate = new(0, 1, MinExclusive: true, MaxExclusive: true);
    public static readonly RealType Positive = new(0, double.PositiveInfinity, MinExclusive: true);
    public static readonly RealType NonNegative = new(0);
    public static readonly RealType Fraction = new(0, 1);

    public static IntegerType Count(long min, long max) => new(min, max);

    public static ListType Shape(int rank, long min, long max) => new(new IntegerType(min, max), rank, rank);

    public static PropertyDefinition P(string name, PropertyType type, object? value, string doc) => new(name, type, value, doc);

    /// <summary>A type of the runtime's stage kinds, by its name under <c>Pipeline.Runtime.Kinds</c>.</summary>
    public static RuntimeType KindType(string name) => RuntimeType.Named("Pipeline.Runtime.Kinds." + name);

    public static IReadOnlyList<object> List(params object[] items) => items;

    public static IReadOnlyDictionary<string, object> Map(params (string Key, object Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>
    /// Given weights for a trained kind (<c>init = file("base.safetensors")</c>): absent means random initialisation. The
    /// file's content hash joins the stage hash, so a changed file retrains and an unchanged one is served from the cache.
    /// </summary>
    public static PropertyDefinition Init(string steps) => PropertyDefinition.Optional(
        InitFiles.Property,
        new VariantType(new[]
        {
            new VariantCase("file", new[] { PropertyDefinition.Require("path", new StringType(), "The file, relative to the experiment file: a .safetensors model file (as a run exports it into --out/models) or a PyTorch state dict (.pt, .pth) of the network's mirror in python/pipeline_models.py.") }),
        }, KindType("WeightsFile")),
        $"Start from these weights instead of a random initialisation: file(\"x.safetensors\") (or .pt, .pth), relative to the experiment file; every tensor is checked by name, shape and dtype before training; {steps} = 0 uses them as given.");

    /// <summary>LoRA settings shared by the aligners: absent means full fine-tuning.</summary>
    public static readonly PropertyDefinition Lora = PropertyDefinition.Optional(
        "lora",
        new RecordType(new[]
        {
            P("rank", Count(1, 1024), 64L, "LoRA rank r."),
            P("alpha", Positive, 128.0, "LoRA scale alpha; the update is scaled by alpha / rank."),
        }, KindType("LoraOptions")),
        "LoRA on every linear and conv layer of the velocity network, W + (alpha/rank)·B·A with B = 0 at the start, merged after training (the paper: rank 64, alpha 128); absent means full fine-tuning of every parameter.");
}

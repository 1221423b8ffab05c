using Microsoft.ML;

namespace Pipeline.Runtime.Kinds;

/// <summary>
/// The catalogs off <see cref="MLContext"/>, one per role of the kinds that train with an ML.NET estimator (ML.NET's
/// <c>mlContext.Transforms</c>): <c>mlContext.Alignment().FlowDpo(options)</c> makes Flow-DPO's estimator. Each kind
/// adds its method to its role's catalog as an extension in its own folder (<c>Kinds/FlowDpo/FlowDpoCatalog.cs</c>);
/// the generated code calls it and hands the estimator to the kind's stage, which fits it on a data view of its
/// inputs. The catalogue names each role's catalog (<c>Pipeline.Catalog.RoleCatalogs</c>).
/// </summary>
public static class MLContextCatalogs
{
    /// <summary>Models trained from scratch (<c>model</c> stages): <c>mlContext.Models().FlowGenerator(options)</c>.</summary>
    public static ModelsCatalog Models(this MLContext context) => new(context);

    /// <summary>Reward models (<c>reward</c> stages): <c>mlContext.Rewards().VideoReward(options)</c>.</summary>
    public static RewardsCatalog Rewards(this MLContext context) => new(context);

    /// <summary>Aligners of a pretrained generator: <c>mlContext.Alignment().FlowDpo(options)</c>.</summary>
    public static AlignmentCatalog Alignment(this MLContext context) => new(context);
}

/// <summary>The catalog of models (<c>model</c> stages: the autoencoder, the flow generator).</summary>
public sealed class ModelsCatalog(MLContext context)
{
    public MLContext Context { get; } = context;
}

/// <summary>The catalog of reward models (<c>reward</c> stages: VideoReward-mini, the latent reward).</summary>
public sealed class RewardsCatalog(MLContext context)
{
    public MLContext Context { get; } = context;
}

/// <summary>The catalog of aligners (<c>align</c> stages).</summary>
public sealed class AlignmentCatalog(MLContext context)
{
    public MLContext Context { get; } = context;
}

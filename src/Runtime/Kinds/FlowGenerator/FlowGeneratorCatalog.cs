namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary><c>mlContext.Models().FlowGenerator(options)</c>: the flow generator's pretraining estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class FlowGeneratorCatalog
{
    public static FlowGeneratorEstimator FlowGenerator(this ModelsCatalog catalog, FlowGeneratorOptions options) => new(catalog.Context, options);
}

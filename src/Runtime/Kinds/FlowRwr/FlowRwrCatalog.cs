using Microsoft.ML;

namespace Pipeline.Runtime.Kinds.FlowRwr;

/// <summary><c>mlContext.Alignment().FlowRwr(options)</c>: Flow-RWR's estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class FlowRwrCatalog
{
    public static FlowRwrEstimator FlowRwr(this AlignmentCatalog catalog, FlowRwrOptions options) => new(catalog.Context, options);
}

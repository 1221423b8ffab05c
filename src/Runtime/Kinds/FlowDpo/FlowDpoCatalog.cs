using Microsoft.ML;

namespace Pipeline.Runtime.Kinds.FlowDpo;

/// <summary><c>mlContext.Alignment().FlowDpo(options)</c>: Flow-DPO's estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class FlowDpoCatalog
{
    public static FlowDpoEstimator FlowDpo(this AlignmentCatalog catalog, FlowDpoOptions options) => new(catalog.Context, options);
}

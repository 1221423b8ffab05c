using Microsoft.ML;

namespace Pipeline.Runtime.Kinds.FlowSft;

/// <summary><c>mlContext.Alignment().FlowSft(options)</c>: Flow-SFT's estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class FlowSftCatalog
{
    public static FlowSftEstimator FlowSft(this AlignmentCatalog catalog, FlowSftOptions options) => new(catalog.Context, options);
}

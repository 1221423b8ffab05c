namespace Pipeline.Runtime.Kinds.Autoencoder;

/// <summary><c>mlContext.Models().Autoencoder(options)</c>: the autoencoder's estimator (<see cref="MLContextCatalogs"/>).</summary>
public static class AutoencoderCatalog
{
    public static AutoencoderEstimator Autoencoder(this ModelsCatalog catalog, AutoencoderOptions options) => new(catalog.Context, options);
}

namespace Pipeline.Tests.Shared;

/// <summary>Runs the real <c>pipeline</c> command (the CLI assembly built beside the test) as a separate process.</summary>
internal static class PipelineCli
{
    public static string Assembly => Path.Combine(AppContext.BaseDirectory, "pipeline.dll");

    /// <summary>Runs <c>pipeline ARGS</c> with its own cache folder unless the environment names one.</summary>
    public static ProcessRunner.Result Run(IEnumerable<string> arguments, string cacheFolder, string? workingDirectory = null, IDictionary<string, string?>? environment = null, int timeoutSeconds = 600)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["PIPELINE_CACHE"] = cacheFolder,
        };
        return ProcessRunner.Run("dotnet", new[] { Assembly }.Concat(arguments), workingDirectory, variables, timeoutSeconds);
    }
}

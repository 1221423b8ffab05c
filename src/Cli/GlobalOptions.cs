using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>Options every command understands.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Libtorch = new("--libtorch")
    {
        Description = "Load libtorch from this folder (e.g. an installed PyTorch's torch/lib) instead of the bundled CPU natives; also PIPELINE_LIBTORCH.",
        Recursive = true,
    };
}

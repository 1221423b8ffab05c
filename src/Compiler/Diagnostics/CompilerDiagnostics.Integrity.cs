using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Diagnostics;

// What the compiler checks so that what it accepts runs, and what it serves from its cache is what it would build.
public static partial class CompilerDiagnostics
{
    public const string InvalidDeviceCode = "PIPE2030";
    public const string AssemblyCacheDamagedCode = "PIPE3010";

    /// <summary>The device is not one the runtime can pick; before this check <c>check</c> accepted it and <c>run</c> failed.</summary>
    public static Diagnostic InvalidDevice(TextSpan span, string device) =>
        Error(span, InvalidDeviceCode, $"The device '{device}' is not auto, cpu, cuda or \"cuda:N\" (N a GPU index such as 0); write one of those.");

    /// <summary>The assembly cache held a damaged copy of this experiment: it was not used, and the experiment was compiled again.</summary>
    public static Diagnostic AssemblyCacheDamaged(TextSpan span, string folder, string problem) =>
        Warning(span, AssemblyCacheDamagedCode, $"The cached assembly in '{folder}' was damaged ({problem}), so it was not used; the experiment was compiled again and the cache entry rewritten.");
}

using Pipeline.Compiler.Diagnostics;
using Pipeline.Compiler;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Cli;

/// <summary>
/// Checks, before a loaded experiment runs, that it is what the compiler makes of the source it embeds: the source's
/// SHA-256, the experiment's name, seed and device, and each stage's kind, inputs and hash. The stage cache stores
/// results under the hashes the assembly states, so an assembly whose states are wrong (one changed byte in a hash, or
/// in the source hash that results.json reports) would store or serve results under another experiment's identity.
/// </summary>
internal static class ExperimentIdentity
{
    /// <summary>Data-file diagnostics: the file is missing, unreadable or lacks columns, which the stage reading it reports.</summary>
    private static readonly HashSet<string> DataFileCodes = new(StringComparer.Ordinal)
    {
        CompilerDiagnostics.DataFileNotFoundCode,
        CompilerDiagnostics.DataFileMissingColumnsCode,
        CompilerDiagnostics.DataFileWrongExtensionCode,
        CompilerDiagnostics.DataFileUnreadableCode,
    };

    /// <summary>
    /// For a compiled experiment (.dll) given by the user: binds its embedded canonical source again, beside it (where its
    /// data paths resolve), against the runtime version it was built for, and compares.
    /// </summary>
    public static void VerifyAssembly(ExperimentInfo info, string sourceDirectory, string assemblyPath)
    {
        var expected = Compilation.Parse(Path.Combine(sourceDirectory, info.Name + ".pipe"), info.CanonicalSource, CompilerHost.Options() with { RuntimeVersion = info.RuntimeVersion });
        Verify(info, expected, assemblyPath, "compile the experiment again (pipeline compile FILE.pipe), or run its .pipe file");
    }

    /// <summary>
    /// Compares <paramref name="info"/> with <paramref name="expected"/>, the compilation it should come from; a data
    /// file changed since (only possible for a .dll) is <see cref="RuntimeDiagnosticCodes.DataFileChanged"/>, any other
    /// difference <see cref="RuntimeDiagnosticCodes.ExperimentIdentityMismatch"/>.
    /// </summary>
    public static void Verify(ExperimentInfo info, Compilation expected, string assemblyPath, string fix)
    {
        string? problem = null;
        if (Compiler.Lowering.StageHasher.Sha256(info.CanonicalSource) != info.SourceSha256)
        {
            problem = $"it states source sha256 {Short(info.SourceSha256)}, but the source it embeds hashes to {Short(Compiler.Lowering.StageHasher.Sha256(info.CanonicalSource))}";
        }
        else if (expected.SourceSha256 != info.SourceSha256)
        {
            problem = $"it states source sha256 {Short(info.SourceSha256)}, but its source gives {Short(expected.SourceSha256)}";
        }
        else if (expected.Diagnostics.FirstOrDefault(d => d.IsError && !DataFileCodes.Contains(d.Code)) is { } error)
        {
            problem = $"the source it embeds does not compile ({error.Code}: {error.Message})";
        }
        else
        {
            var model = expected.SemanticModel;
            problem = model.Name != info.Name ? $"it is named '{info.Name}', its source '{model.Name}'"
                : model.Seed != info.Seed ? $"it states seed {info.Seed}, its source {model.Seed}"
                : model.Device != info.Device ? $"it states device '{info.Device}', its source '{model.Device}'"
                : expected.HasErrors ? null // A missing data file: the stage that reads it says so, and nothing is stored.
                : StageProblem(info, expected, Path.GetFileName(assemblyPath));
        }

        if (problem is not null)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ExperimentIdentityMismatch, $"the compiled experiment {assemblyPath} is not what the compiler makes of its own source: {problem}; it is damaged or was built by another compiler, so nothing was run or stored. Fix: {fix}.");
        }
    }

    private static string? StageProblem(ExperimentInfo info, Compilation expected, string assemblyName)
    {
        var stages = expected.SemanticModel.Stages;
        var names = stages.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (info.Stages.Select(s => s.Name).FirstOrDefault(n => !names.Contains(n)) is { } extra)
        {
            return $"it has a stage '{extra}' its source does not declare";
        }

        // A stage that reads a data file first: when that file changed since compiling, every stage after it differs too.
        foreach (var stage in stages.OrderBy(s => s.DataFiles.Count == 0).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var stated = info.FindStage(stage.Name);
            if (stated is null)
            {
                return $"it lacks the stage '{stage.Name}' its source declares";
            }

            if (stated.Kind != stage.Kind.Name)
            {
                return $"it states stage '{stage.Name}' is a {stated.Kind}, its source a {stage.Kind.Name}";
            }

            if (!stated.Dependencies.Order(StringComparer.Ordinal).SequenceEqual(stage.Dependencies, StringComparer.Ordinal))
            {
                return $"it states stage '{stage.Name}' reads {Names(stated.Dependencies)}, its source {Names(stage.Dependencies)}";
            }

            if (stated.Hash != stage.Hash)
            {
                if (stage.DataFiles.Count > 0)
                {
                    throw new PipelineException(
                        RuntimeDiagnosticCodes.DataFileChanged,
                        $"the file {string.Join(", ", stage.DataFiles.Keys)} that stage '{stage.Name}' reads (data or given weights) changed since {assemblyName} was compiled, so its cached results would be stale; compile the experiment again, or run its .pipe file.")
                    {
                        Stage = stage.Name,
                    };
                }

                return $"it states hash {Short(stated.Hash)} for stage '{stage.Name}', its source gives {Short(stage.Hash)}";
            }
        }

        return null;
    }

    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "nothing";

    private static string Short(string hash) => hash.Length > 16 ? hash[..16] + "…" : hash;
}

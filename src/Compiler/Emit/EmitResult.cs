using System.Collections.Immutable;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Compiler.Emit;

/// <summary>
/// What <see cref="Compilation.Emit"/> did: the files written (when it succeeded), its diagnostics (errors when it
/// failed; warnings, such as a damaged cache entry it replaced, when it succeeded), and whether the cache served it.
/// </summary>
public sealed record EmitResult(bool Success, ImmutableArray<Diagnostic> Diagnostics, string? AssemblyPath, string? PdbPath, string? GeneratedSourcePath, bool FromCache)
{
    /// <summary>
    /// The SHA-256 of the assembly's bytes as they were built or verified in the cache: whoever loads the file checks
    /// the bytes it reads against it, so a file changed after the check is never loaded.
    /// </summary>
    public string? AssemblySha256 { get; init; }
}

using System.Collections.Immutable;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Compiler.Emit;

/// <summary>What <see cref="Compilation.Emit"/> did: the files written (when it succeeded), its diagnostics, and whether the cache served it.</summary>
public sealed record EmitResult(bool Success, ImmutableArray<Diagnostic> Diagnostics, string? AssemblyPath, string? PdbPath, string? GeneratedSourcePath, bool FromCache);

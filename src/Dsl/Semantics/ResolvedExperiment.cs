using System.Collections.Immutable;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Semantics;

/// <summary>
/// The effective experiment of a file: its <c>extends</c> chain composed into one experiment with no extends clause
/// and no overrides left. Nodes come from several files, so <see cref="OriginOf"/> says which file a stage or a
/// property was written in (for diagnostics the compiler reports on the composed tree).
/// </summary>
public sealed class ResolvedExperiment
{
    private readonly IReadOnlyDictionary<object, string> origins;
    private readonly Lazy<string> canonicalText;

    internal ResolvedExperiment(string path, ExperimentSyntax experiment, ImmutableArray<SyntaxTree> files, ImmutableArray<Diagnostic> diagnostics, IReadOnlyDictionary<object, string> origins)
    {
        Path = path;
        Experiment = experiment;
        Files = files;
        Diagnostics = diagnostics;
        this.origins = origins;
        canonicalText = new Lazy<string>(() => CanonicalForm.Text(experiment));
    }

    /// <summary>The path of the file that was resolved (as given).</summary>
    public string Path { get; }

    /// <summary>The composed experiment.</summary>
    public ExperimentSyntax Experiment { get; }

    /// <summary>The file itself first, then the files it extends, nearest first.</summary>
    public ImmutableArray<SyntaxTree> Files { get; }

    /// <summary>Parse diagnostics of every file in the chain, then composition diagnostics; each carries its file's path.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>
    /// True when the composed experiment is whole enough to bind: every file parsed and the extends chain resolved.
    /// An override that could not be applied (PIPE0042, PIPE0043) is only left out, so the compiler still binds the rest
    /// and reports its errors beside the override's; after a syntax error or a missing base file, binding would report
    /// little but the echoes of that one mistake.
    /// </summary>
    public bool CanBind => Diagnostics.All(d => !d.IsError || d.Code is DiagnosticBuilder.OverrideOfUnknownStageCode or DiagnosticBuilder.OverrideIntoScalarCode);

    /// <summary>The canonical text of the composed experiment (comments dropped, members sorted); the compiler hashes it.</summary>
    public string CanonicalText => canonicalText.Value;

    /// <summary>The path of the file a stage, experiment-level property, expectation or stage property of <see cref="Experiment"/> came from.</summary>
    public string? OriginOf(SyntaxNode node) => origins.TryGetValue(node, out var path) ? path : null;

    /// <summary>The source text of a file in the chain, to print a diagnostic's line and column.</summary>
    public SourceText? SourceOf(string? path) => Files.FirstOrDefault(f => f.Source.Path == path)?.Source;
}

using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Compiler;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.LanguageServer.Analysis;

/// <summary>
/// What the compiler knows about one version of a document: its syntax tree, the experiment composed with what it
/// extends, the compilation (when composition succeeded), the diagnostics <c>pipeline check</c> prints for it, and
/// the index of the names written in it. Each part is computed once, on first use.
/// </summary>
internal sealed class DocumentAnalysis
{
    private readonly Lazy<Compilation?> compilation;
    private readonly Lazy<ImmutableArray<Diagnostic>> diagnostics;
    private readonly Lazy<SymbolIndex> symbols;

    public DocumentAnalysis(string path, string text, Func<string, string?> readFile)
    {
        Resolved = Composition.Resolve(SyntaxTree.Parse(new SourceText(path, text)), readFile);
        Stages = Resolved.Experiment.Members.OfType<StageSyntax>()
            .GroupBy(s => s.Name.Name, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        compilation = new Lazy<Compilation?>(() => Resolved.HasErrors ? null : Compilation.Create(Resolved, new CompilationOptions()));
        diagnostics = new Lazy<ImmutableArray<Diagnostic>>(Check);
        symbols = new Lazy<SymbolIndex>(() => SymbolIndex.Build(Tree.Root.Experiment, KindOf));
    }

    /// <summary>The document's own file.</summary>
    public SyntaxTree Tree => Resolved.Files[0];

    public string Path => Tree.Source.Path;

    public ResolvedExperiment Resolved { get; }

    /// <summary>The experiment's stages after composition (the document's and those it inherits), by name.</summary>
    public ImmutableDictionary<string, StageSyntax> Stages { get; }

    /// <summary>The compilation, or null when a syntax or composition error stops binding (as <c>pipeline check</c> does).</summary>
    public Compilation? Compilation => compilation.Value;

    /// <summary>The diagnostics <c>pipeline check</c> prints for this file, in its order.</summary>
    public ImmutableArray<Diagnostic> Diagnostics => diagnostics.Value;

    public SymbolIndex Symbols => symbols.Value;

    /// <summary>The catalogue kind of a stage of the composed experiment; null for an unknown stage or kind.</summary>
    public StageKind? KindOf(string stage) => Stages.TryGetValue(stage, out var syntax) ? StageCatalog.FindKind(syntax.Kind.Name) : null;

    /// <summary>The file a stage of the composed experiment was declared in (the last file of the chain that wrote it).</summary>
    public string? DeclaringPath(StageSyntax stage) => Resolved.OriginOf(stage) ?? Path;

    /// <summary>
    /// What <c>pipeline check</c> prints (src/Cli/Commands/CheckCommand.cs): the compilation's diagnostics, which bind
    /// the file only where it can be bound. The LanguageServer tests compare the two outputs on every example and every
    /// hostile file.
    /// </summary>
    private ImmutableArray<Diagnostic> Check() => Compilation.Create(Resolved, new CompilationOptions()).Diagnostics;
}

using System.Text.RegularExpressions;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;
using Pipeline.LanguageServer.Workspace;
using StreamJsonRpc;

namespace Pipeline.LanguageServer.Features;

/// <summary>
/// Go to definition, find references and rename for stage names and <c>extends</c> targets, across the files of an
/// extends family: the file that first declares a stage and every file that extends it, directly or not. The
/// references of a file (asked on an <c>extends</c> path or on an experiment's name) are the clauses that extend it.
/// </summary>
// analyze: the analysis of a file by path (an open document's current text, else the file on disk).
internal sealed partial class Navigation(DocumentWorkspace workspace, Func<string, DocumentAnalysis?> analyze)
{
    /// <summary>The protocol's RequestFailed error code, for a rename that cannot be done.</summary>
    private const int RequestFailed = -32803;

    public Location? Definition(DocumentAnalysis analysis, int offset)
    {
        var occurrence = analysis.Symbols.At(offset);
        switch (occurrence?.Role)
        {
            case SymbolRole.StageDeclaration or SymbolRole.StageReference when analysis.Stages.TryGetValue(occurrence.Name, out var stage):
                var path = analysis.DeclaringPath(stage)!;
                var text = analysis.Resolved.SourceOf(path)?.Text ?? string.Empty;
                return new Location(DocumentPaths.UriOf(path), new LineIndex(text).RangeOf(stage.Name.Span));
            case SymbolRole.ExtendsPath:
                var basePath = Path.GetFullPath(Composition.BasePath(analysis.Path, occurrence.Name));
                return File.Exists(basePath) || workspace.FindByPath(basePath) is not null
                    ? new Location(DocumentPaths.UriOf(basePath), new Range(new Position(0, 0), new Position(0, 0)))
                    : null;
            default:
                return null;
        }
    }

    public IReadOnlyList<Location> References(DocumentAnalysis analysis, int offset, bool includeDeclaration)
    {
        if (analysis.Symbols.At(offset) is { Role: SymbolRole.ExtendsPath or SymbolRole.ExperimentName } file)
        {
            var target = file.Role == SymbolRole.ExtendsPath ? Path.GetFullPath(Composition.BasePath(analysis.Path, file.Name)) : analysis.Path;
            return ExtendsReferences(target, includeDeclaration);
        }

        var name = StageNameAt(analysis, offset);
        return name is null
            ? []
            : Occurrences(analysis, name)
                .Where(o => includeDeclaration || o.Occurrence.Role != SymbolRole.StageDeclaration)
                .Select(o => new Location(DocumentPaths.UriOf(o.File.Path), o.File.Lines.RangeOf(o.Occurrence.Span)))
                .ToList();
    }

    /// <summary>
    /// The references of a file: the <c>extends</c> clauses that name it, in the files that extend it directly; with
    /// the declaration, the file's experiment name.
    /// </summary>
    private List<Location> ExtendsReferences(string target, bool includeDeclaration)
    {
        var found = new List<Location>();
        if (includeDeclaration && analyze(target) is { } declared && declared.Tree.Root.Experiment.Name.Span.Length > 0)
        {
            found.Add(new Location(DocumentPaths.UriOf(target), new LineIndex(declared.Tree.Source.Text).RangeOf(declared.Tree.Root.Experiment.Name.Span)));
        }

        foreach (var path in workspace.Extenders(target))
        {
            var extending = analyze(path);
            if (extending?.Tree.Root.Experiment.Extends is { } extends && DocumentPaths.Same(Composition.BasePath(path, extends.Path.Value), target))
            {
                found.Add(new Location(DocumentPaths.UriOf(path), new LineIndex(extending.Tree.Source.Text).RangeOf(extends.Path.Span)));
            }
        }

        return found;
    }

    public PrepareRenameResult? PrepareRename(DocumentAnalysis analysis, LineIndex lines, int offset)
    {
        var occurrence = analysis.Symbols.At(offset);
        return occurrence?.Role is SymbolRole.StageDeclaration or SymbolRole.StageReference
            ? new PrepareRenameResult(lines.RangeOf(occurrence.Span), occurrence.Name)
            : null;
    }

    /// <summary>Renames a stage in every file of its family; refuses a name that is not an identifier or that another stage has.</summary>
    public WorkspaceEdit? Rename(DocumentAnalysis analysis, int offset, string newName)
    {
        var name = StageNameAt(analysis, offset);
        if (name is null)
        {
            return null;
        }

        if (!Identifier().IsMatch(newName) || newName is SyntaxKeywords.True or SyntaxKeywords.False)
        {
            throw new LocalRpcException($"'{newName}' is not a stage name; write a letter or '_' followed by letters, digits or '_'.") { ErrorCode = RequestFailed };
        }

        var occurrences = Occurrences(analysis, name);
        if (newName != name && occurrences.Select(o => o.Analysis).Distinct().Any(a => a.Stages.ContainsKey(newName)))
        {
            throw new LocalRpcException($"A stage is already named '{newName}'; choose another name.") { ErrorCode = RequestFailed };
        }

        var changes = occurrences
            .GroupBy(o => DocumentPaths.UriOf(o.File.Path), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TextEdit>)g.Select(o => new TextEdit(o.File.Lines.RangeOf(o.Occurrence.Span), newName)).ToList(), StringComparer.Ordinal);
        return new WorkspaceEdit(changes);
    }

    private static string? StageNameAt(DocumentAnalysis analysis, int offset) =>
        analysis.Symbols.At(offset) is { Role: SymbolRole.StageDeclaration or SymbolRole.StageReference } occurrence ? occurrence.Name : null;

    /// <summary>Every declaration of and reference to the stage in its family, file by file in path order.</summary>
    private List<(DocumentAnalysis Analysis, FileLines File, Occurrence Occurrence)> Occurrences(DocumentAnalysis analysis, string name)
    {
        // The family's root: the deepest base that declares the stage (a file may redeclare an inherited stage).
        var root = analysis.Resolved.Files.Reverse().FirstOrDefault(f => f.Root.Experiment.Members.OfType<StageSyntax>().Any(s => s.Name.Name == name))?.Source.Path ?? analysis.Path;
        var family = new[] { root }.Concat(workspace.Extenders(root));
        var found = new List<(DocumentAnalysis, FileLines, Occurrence)>();
        foreach (var path in family)
        {
            var member = DocumentPaths.Same(path, analysis.Path) ? analysis : analyze(path);
            if (member is null)
            {
                continue;
            }

            var lines = new FileLines(member.Path, new LineIndex(member.Tree.Source.Text));
            found.AddRange(member.Symbols.StageOccurrences(name).Select(o => (member, lines, o)));
        }

        return found;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    private sealed record FileLines(string Path, LineIndex Lines);
}

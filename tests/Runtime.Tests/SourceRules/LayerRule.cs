using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// The rule behind the runtime's shape (docs/runtime.md): every file's namespace is its folder's
/// (<c>src/Runtime/Kinds/FlowDpo/X.cs</c> declares <c>Pipeline.Runtime.Kinds.FlowDpo</c>); every namespace belongs to a
/// layer — Core, then Torch and Data, then Kinds, then Execution — and names types only of its own layer and of the
/// layers below it (Torch and Data, of equal rank, not each other's); and no namespaces depend on each other in a
/// cycle. References are bound with Roslyn, so a type reached through <c>var</c>, an extension method or a member
/// access counts as much as one spelled out.
/// </summary>
internal static class LayerRule
{
    /// <summary>The namespace of src/Runtime.</summary>
    public const string RootNamespace = "Pipeline.Runtime";

    /// <summary>The folder whose files the rule reads, relative to the repository.</summary>
    public const string SourceFolder = "src/Runtime";

    /// <summary>The layers with their rank: a namespace may name types of lower ranks and of its own layer.</summary>
    public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Core"] = 0,
        ["Torch"] = 1,
        ["Data"] = 1,
        ["Kinds"] = 2,
        ["Execution"] = 3,
    };

    public sealed record Finding(string Path, int Line, string Message)
    {
        public override string ToString() => $"{Path}:{Line}: {Message}";
    }

    /// <summary>One namespace naming a type of another: where it first does so, and which type.</summary>
    private sealed record Reference(string From, string To, string Path, int Line, string Type);

    /// <summary>Every breach of the rule among the compilation's files under <see cref="SourceFolder"/>, in file and line order.</summary>
    public static IReadOnlyList<Finding> Check(Compilation compilation)
    {
        var findings = new List<Finding>();
        var references = new Dictionary<(string From, string To), Reference>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var path = tree.FilePath.Replace('\\', '/');
            if (!path.StartsWith(SourceFolder + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var root = tree.GetRoot();
            CheckFolder(path, root, findings);
            var model = compilation.GetSemanticModel(tree);
            foreach (var name in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (name.Ancestors().Any(a => a is UsingDirectiveSyntax || (a is BaseNamespaceDeclarationSyntax declaration && declaration.Name.Span.Contains(name.Span))))
                {
                    continue;
                }

                var from = NamespaceOf(name);
                var type = TargetType(model.GetSymbolInfo(name));
                if (from is null || type is null || !SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, compilation.Assembly))
                {
                    continue;
                }

                var to = type.ContainingNamespace.ToDisplayString();
                if (to != from && !references.ContainsKey((from, to)))
                {
                    references[(from, to)] = new Reference(from, to, path, LineOf(name), type.Name);
                }
            }
        }

        foreach (var reference in references.Values)
        {
            CheckLayers(reference, findings);
        }

        CheckCycles(references, findings);
        return findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Message, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The namespace a file in <paramref name="path"/> must declare.</summary>
    public static string ExpectedNamespace(string path)
    {
        var folders = path[(SourceFolder.Length + 1)..].Split('/')[..^1];
        return string.Join(".", new[] { RootNamespace }.Concat(folders));
    }

    /// <summary>The layer a namespace belongs to, or null when it is in none.</summary>
    public static string? LayerOf(string ns)
    {
        if (!ns.StartsWith(RootNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var first = ns[(RootNamespace.Length + 1)..].Split('.')[0];
        return Layers.ContainsKey(first) ? first : null;
    }

    private static void CheckFolder(string path, SyntaxNode root, List<Finding> findings)
    {
        var expected = ExpectedNamespace(path);
        var declarations = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().ToArray();
        if (declarations.Length == 0 && root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Any())
        {
            findings.Add(new Finding(path, 1, $"the file declares types outside a namespace; declare them in {expected}"));
        }

        foreach (var declaration in declarations)
        {
            var actual = NamespaceOf(declaration)!;
            if (actual != expected)
            {
                findings.Add(new Finding(path, LineOf(declaration), $"namespace {actual} differs from its folder; a file in {Path.GetDirectoryName(path)!.Replace('\\', '/')} declares {expected}"));
            }
        }

        if (LayerOf(expected) is null && declarations.Length > 0)
        {
            findings.Add(new Finding(path, LineOf(declarations[0]), $"namespace {expected} is in no layer; a file lives under one of {string.Join(", ", Layers.Keys.Select(l => $"{SourceFolder}/{l}"))}"));
        }
    }

    private static void CheckLayers(Reference reference, List<Finding> findings)
    {
        var from = LayerOf(reference.From);
        var to = LayerOf(reference.To);
        if (from is null || to is null || from == to || Layers[to] < Layers[from])
        {
            return;
        }

        var below = Layers.Where(l => l.Value < Layers[from]).Select(l => l.Key).ToArray();
        findings.Add(new Finding(reference.Path, reference.Line,
            $"{reference.From} names {reference.To}.{reference.Type}: the {from} layer may use its own namespaces{(below.Length == 0 ? string.Empty : " and " + string.Join(", ", below))}, not {to}"));
    }

    /// <summary>Reports each strongly connected group of namespaces (Tarjan) once, with one cycle through it and where each step is taken.</summary>
    private static void CheckCycles(Dictionary<(string From, string To), Reference> references, List<Finding> findings)
    {
        var edges = references.Keys.GroupBy(k => k.From, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(k => k.To).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var nodes = references.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<string[]>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges.GetValueOrDefault(node, []))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != node);
                if (group.Count > 1)
                {
                    groups.Add(group.Order(StringComparer.Ordinal).ToArray());
                }
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        foreach (var group in groups)
        {
            var cycle = Cycle(group[0], new HashSet<string>(group, StringComparer.Ordinal), edges);
            var steps = cycle.Zip(cycle.Skip(1), (from, to) => references[(from, to)]).ToArray();
            findings.Add(new Finding(steps[0].Path, steps[0].Line,
                "namespace cycle: " + string.Join(" → ", steps.Select(s => $"{s.From} ({s.Path}:{s.Line} names {s.Type})")) + $" → {cycle[^1]}"));
        }
    }

    /// <summary>The shortest path from <paramref name="start"/> back to itself inside <paramref name="group"/> (breadth first).</summary>
    private static string[] Cycle(string start, HashSet<string> group, Dictionary<string, string[]> edges)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in edges.GetValueOrDefault(node, []).Where(group.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { start, node };
                    while (path[^1] != start)
                    {
                        path.Add(previous[path[^1]]);
                    }

                    path.Reverse();
                    return path.ToArray();
                }

                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        throw new InvalidOperationException($"{start} lies on no cycle of its group");
    }

    private static INamedTypeSymbol? TargetType(SymbolInfo info) =>
        (info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) switch
        {
            INamedTypeSymbol type => type.OriginalDefinition,
            IMethodSymbol method => (method.ReducedFrom ?? method).ContainingType?.OriginalDefinition,
            (IPropertySymbol or IFieldSymbol or IEventSymbol) and { ContainingType: { } owner } => owner.OriginalDefinition,
            _ => null,
        };

    private static string? NamespaceOf(SyntaxNode node)
    {
        var parts = node.AncestorsAndSelf().OfType<BaseNamespaceDeclarationSyntax>().Select(n => n.Name.ToString()).Reverse().ToArray();
        return parts.Length == 0 ? null : string.Join(".", parts);
    }

    private static int LineOf(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
}

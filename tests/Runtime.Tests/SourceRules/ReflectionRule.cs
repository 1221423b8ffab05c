using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// The rule behind "no reflection in the runtime" (docs/runtime.md): a stage's options are typed and set by generated
/// code, references are followed by generated calls, so nothing in src/Runtime looks members up by name, reads or sets
/// them dynamically, or makes instances of types it does not name. A name is bound with Roslyn, and any that reaches
/// System.Reflection (a <c>PropertyInfo</c>, <c>BindingFlags</c>, <c>GetProperty</c>'s result, an assembly),
/// System.Runtime.Loader or <c>System.Activator</c> is a finding, however it is spelled. The few files whose job is
/// reflection are listed in <see cref="Allowed"/>, each with the reason.
/// </summary>
internal static class ReflectionRule
{
    /// <summary>The files that may reflect, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> Allowed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["src/Runtime/Execution/Hosting/ExperimentHost.cs"] = "loads the compiled experiment's assembly and makes its experiment class: what a run host is for",
        ["src/Runtime/Data/SchemaColumns.cs"] = "ML.NET keeps SchemaShape.Column's constructor internal, and estimators must return such columns",
        ["src/Runtime/Torch/Backend/TorchBackend.cs"] = "reads the TorchSharp package's version for results.json",
        ["src/Runtime/Core/RuntimeAssembly.cs"] = "reads the runtime's own version and module version id: the build that the stage cache, model files and checkpoints record",
        ["src/Runtime/Core/RuntimeDiagnosticCodes.cs"] = "lists its own code constants for the uniqueness tests",
        ["src/Runtime/Core/DataDiagnosticCodes.cs"] = "lists its own code constants for the uniqueness tests",
    };

    public sealed record Finding(string Path, int Line, string Message)
    {
        public override string ToString() => $"{Path}:{Line}: {Message}";
    }

    /// <summary>Every use of reflection in the compilation's files outside <see cref="Allowed"/>, one per line, in file and line order.</summary>
    public static IReadOnlyList<Finding> Check(Compilation compilation)
    {
        var findings = new List<Finding>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var path = tree.FilePath.Replace('\\', '/');
            if (Allowed.ContainsKey(path))
            {
                continue;
            }

            var model = compilation.GetSemanticModel(tree);
            var lines = new HashSet<int>();
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(name).Symbol;
                if (symbol is not null && Reflects(symbol) is { } what && lines.Add(name.GetLocation().GetLineSpan().StartLinePosition.Line + 1))
                {
                    findings.Add(new Finding(path, name.GetLocation().GetLineSpan().StartLinePosition.Line + 1, $"'{name.Identifier.Text}' reflects ({what}); type the value, or let the compiler emit the call"));
                }
            }
        }

        return findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ToArray();
    }

    /// <summary>What makes a symbol reflection: its namespace, or the type it gives; null when it is not.</summary>
    private static string? Reflects(ISymbol symbol)
    {
        // A type's name for a message (typeof(T).Name, x.GetType().Name) reads no member of the value.
        if (symbol is IPropertySymbol { Name: "Name" or "FullName" } name && name.ContainingType.ToDisplayString() is "System.Reflection.MemberInfo" or "System.Type")
        {
            return null;
        }

        var types = symbol switch
        {
            INamespaceSymbol space => [],
            ITypeSymbol type => [type],
            IMethodSymbol method => [method.ContainingType, method.ReturnType],
            IPropertySymbol property => [property.ContainingType, property.Type],
            IFieldSymbol field => [field.ContainingType, field.Type],
            _ => Array.Empty<ITypeSymbol>(),
        };
        if (symbol is INamespaceSymbol ns && IsReflection(ns.ToDisplayString()))
        {
            return ns.ToDisplayString();
        }

        foreach (var type in types.Select(t => (t is IArrayTypeSymbol array ? array.ElementType : t).WithNullableAnnotation(NullableAnnotation.NotAnnotated)))
        {
            if (type.ToDisplayString() == "System.Activator")
            {
                return "System.Activator";
            }

            if (type.ContainingNamespace is { } space && IsReflection(space.ToDisplayString()))
            {
                return type.ToDisplayString();
            }
        }

        return null;
    }

    private static bool IsReflection(string space) =>
        space is "System.Reflection" or "System.Runtime.Loader"
        || space.StartsWith("System.Reflection.", StringComparison.Ordinal)
        || space.StartsWith("System.Runtime.Loader.", StringComparison.Ordinal);
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// The rule behind "one way to draw random numbers" (src/Runtime/Torch/RandomStream.cs): outside the random-stream
/// file, no call may reach a TorchSharp function that draws random numbers or touches a generator's state, and no
/// <c>torch.Generator</c> may be made; and nowhere may a call hand TorchSharp a generator together with a device,
/// since TorchSharp 0.107's generators are CPU generators and such a draw fails on CUDA. Calls are bound with Roslyn,
/// so the rule sees the method a call reaches and the parameter each argument binds to (a generator passed by
/// position too), whatever the call's layout.
/// </summary>
internal static class RandomDrawRule
{
    /// <summary>The one file allowed to draw.</summary>
    public const string RandomStreamFile = "src/Runtime/Torch/RandomStream.cs";

    // TorchSharp's random functions and modules (torch, Tensor, nn and nn.functional), and what sets random state.
    private static readonly HashSet<string> RandomMembers = new(StringComparer.Ordinal)
    {
        "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
        "bernoulli", "bernoulli_", "multinomial", "normal", "normal_", "uniform_", "random_", "exponential_",
        "geometric_", "cauchy_", "log_normal_", "poisson", "dropout", "dropout_", "alpha_dropout", "feature_alpha_dropout",
        "dropout1d", "dropout2d", "dropout3d", "rrelu", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
        "FeatureAlphaDropout", "RReLU", "manual_seed", "manual_seed_all", "seed", "initial_seed", "get_rng_state",
        "set_rng_state", "get_state", "set_state", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
        "xavier_normal_", "trunc_normal_", "orthogonal_", "sparse_",
    };

    public sealed record Finding(string Path, int Line, string Message)
    {
        public override string ToString() => $"{Path}:{Line}: {Message}";
    }

    /// <summary>Every breach of the rule in the compilation's files, in file and line order.</summary>
    public static IReadOnlyList<Finding> Check(Compilation compilation)
    {
        var findings = new List<Finding>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var path = tree.FilePath.Replace('\\', '/');
            var inRandomStream = path == RandomStreamFile;
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes().Where(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax))
            {
                var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                switch (model.GetOperation(node))
                {
                    case IInvocationOperation call when node is InvocationExpressionSyntax && IsTorchSharp(call.TargetMethod):
                        var method = call.TargetMethod;
                        var generator = Explicit(call.Arguments, IsGenerator);
                        if (!inRandomStream && (RandomMembers.Contains(method.Name) || generator))
                        {
                            findings.Add(new Finding(path, line, $"{Describe(method)} draws random numbers or touches random state outside RandomStream; draw through a RandomStream"));
                        }

                        if (generator && Explicit(call.Arguments, IsDevice))
                        {
                            findings.Add(new Finding(path, line, $"{Describe(method)} is given a generator and a device together; TorchSharp's generators are CPU-only, so this fails on CUDA"));
                        }

                        break;
                    case IObjectCreationOperation creation when node is BaseObjectCreationExpressionSyntax && !inRandomStream && IsGenerator(creation.Type):
                        findings.Add(new Finding(path, line, "a torch.Generator is made outside RandomStream; draw through a RandomStream"));
                        break;
                }
            }
        }

        return findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ToArray();
    }

    private static bool IsTorchSharp(ISymbol symbol) =>
        symbol.ContainingNamespace?.ToDisplayString() is { } name && (name == "TorchSharp" || name.StartsWith("TorchSharp.", StringComparison.Ordinal));

    private static string Describe(IMethodSymbol method) => $"{method.ContainingType.Name}.{method.Name}";

    /// <summary>Whether an argument the call spells out (not a default, not a <c>null</c> literal) binds to a parameter of that type.</summary>
    private static bool Explicit(IEnumerable<IArgumentOperation> arguments, Func<ITypeSymbol?, bool> type) =>
        arguments.Any(a => a.ArgumentKind != ArgumentKind.DefaultValue && type(a.Parameter?.Type)
            && !(a.Value.ConstantValue is { HasValue: true, Value: null }));

    private static bool IsGenerator(ITypeSymbol? type) => Named(type, "Generator");

    private static bool IsDevice(ITypeSymbol? type) => Named(type, "Device");

    private static bool Named(ITypeSymbol? type, string name)
    {
        var named = type is INamedTypeSymbol { IsGenericType: true, Name: "Nullable" } nullable ? nullable.TypeArguments[0] : type;
        return named?.Name == name && IsTorchSharp(named);
    }
}

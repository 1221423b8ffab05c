using System.Text.RegularExpressions;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Tests;

/// <summary>Every diagnostic code of every layer is unique, well-formed and in its layer's range (contracts.md).</summary>
public sealed class DiagnosticCodeTests
{
    private static readonly (string Layer, IReadOnlyList<string> Codes, Regex Range)[] Layers =
    {
        ("Dsl (syntax)", DiagnosticBuilder.AllCodes, new Regex("^PIPE0[0-9]{3}$")),
        ("Compiler (names, types, emit)", CompilerDiagnostics.AllCodes, new Regex("^PIPE[123][0-9]{3}$")),
        ("Runtime", RuntimeDiagnosticCodes.All, new Regex("^PIPE4[0-9]{3}$")),
        ("Runtime data", DataDiagnosticCodes.All, new Regex("^PIPE41[0-9]{2}$")),
    };

    [Fact]
    public void Codes_are_unique_across_every_layer()
    {
        var all = Layers.SelectMany(l => l.Codes.Select(code => (l.Layer, code))).ToArray();
        var duplicates = all.GroupBy(p => p.code).Where(g => g.Count() > 1).Select(g => $"{g.Key} in {string.Join(" and ", g.Select(p => p.Layer))}").ToArray();
        Assert.True(duplicates.Length == 0, string.Join("; ", duplicates));
        Assert.True(all.Length > 50, $"only {all.Length} codes were enumerated; a layer's list is probably empty");
    }

    [Fact]
    public void Each_code_lies_in_its_layers_range()
    {
        foreach (var (layer, codes, range) in Layers)
        {
            Assert.NotEmpty(codes);
            Assert.All(codes, code => Assert.True(range.IsMatch(code), $"{layer}: {code} is outside {range}"));
        }
    }
}

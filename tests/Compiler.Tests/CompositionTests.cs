namespace Pipeline.Compiler.Tests;

public sealed class CompositionTests
{
    [Fact]
    public void An_override_of_a_property_that_does_not_exist_is_an_error_in_the_extending_file()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("base.pipe"), Sources.Mini);
        var variant = "experiment variant extends \"base.pipe\" {\n  dpo.betta = 2000\n}\n";
        File.WriteAllText(temp.Combine("variant.pipe"), variant);
        var compilation = Compilation.Load(temp.Combine("variant.pipe"), new CompilationOptions { UseCache = false });
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal("PIPE1005", diagnostic.Code);
        Assert.Contains("did you mean 'beta'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(temp.Combine("variant.pipe"), diagnostic.Path);
        Assert.True(compilation.Sources.ContainsKey(temp.Combine("base.pipe")));
    }

    [Fact]
    public void A_three_line_variant_changes_one_value_and_the_stages_downstream()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("base.pipe"), Sources.Mini);
        File.WriteAllText(temp.Combine("variant.pipe"), "experiment mini extends \"base.pipe\" {\n  dpo.beta = 2000\n}\n");
        var baseline = Compilation.Load(temp.Combine("base.pipe"), new CompilationOptions { UseCache = false });
        var variant = Compilation.Load(temp.Combine("variant.pipe"), new CompilationOptions { UseCache = false });
        Assert.Empty(variant.Diagnostics);
        Assert.Equal(["dpo.beta"], Lowering.ExperimentDiff.Values(baseline.SemanticModel, variant.SemanticModel).Select(c => c.Path));
        Assert.Equal(["dpo", "nrg", "report"], Lowering.ExperimentDiff.Invalidated(baseline.SemanticModel, variant.SemanticModel).Select(s => s.Stage));
        var bad = Assert.Single(Compilation.Load(temp.Combine("variant.pipe"), new CompilationOptions { Overrides = [Binding.SetOverride.Parse("dpo.beta=0")!] }).Diagnostics);
        Assert.Equal("--set dpo.beta", bad.Path);
    }
}

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// Guards the GPU path from the CPU-only test suite: every random draw of src/Runtime goes through RandomStream, and
/// no call pairs a generator with a device (on CUDA that fails at the first training step: shared/notes/gpu.md). The
/// rule itself is tested on snippets that break it.
/// </summary>
public sealed class RandomDrawRuleTests
{
    [Fact]
    public void The_runtime_draws_random_numbers_only_through_RandomStream()
    {
        var compilation = CSharpSources.Runtime;
        Assert.Empty(CSharpSources.Errors(compilation));

        var findings = RandomDrawRule.Check(compilation);

        Assert.True(findings.Count == 0, "random draws outside RandomStream:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void A_draw_split_over_lines_with_a_generator_and_a_device_is_found_at_its_first_line()
    {
        var findings = Check("""
            using TorchSharp;
            class C
            {
                torch.Tensor F(torch.Generator g, torch.Device d) =>
                    torch.randn(
                        new long[] { 2, 3 },
                        generator: g,
                        device: d);
            }
            """);

        Assert.Equal(
            new[]
            {
                "src/Runtime/Snippet.cs:5: torch.randn draws random numbers or touches random state outside RandomStream; draw through a RandomStream",
                "src/Runtime/Snippet.cs:5: torch.randn is given a generator and a device together; TorchSharp's generators are CPU-only, so this fails on CUDA",
            },
            findings);
    }

    [Fact]
    public void A_generator_passed_by_position_is_found_even_in_RandomStream()
    {
        // randn(size, dtype, device, requires_grad, generator): the generator is the fifth argument.
        var findings = Check(
            """
            using TorchSharp;
            class C
            {
                torch.Tensor F(torch.Generator g) => torch.randn(new long[] { 2 }, torch.ScalarType.Float32, torch.CUDA, false, g);
            }
            """,
            RandomDrawRule.RandomStreamFile);

        Assert.Equal(new[] { "src/Runtime/Torch/RandomStream.cs:4: torch.randn is given a generator and a device together; TorchSharp's generators are CPU-only, so this fails on CUDA" }, findings);
    }

    [Fact]
    public void Like_draws_in_place_draws_new_generators_and_seeding_are_found_outside_RandomStream()
    {
        var findings = Check("""
            using TorchSharp;
            class C
            {
                void F(torch.Tensor x)
                {
                    using var a = torch.randn_like(x);
                    x.normal_();
                    using var g = new torch.Generator(7);
                    torch.manual_seed(3);
                    using var dropped = torch.nn.functional.dropout(x, 0.5, true);
                }
            }
            """);

        Assert.Equal(
            new[] { 6, 7, 8, 9, 10 },
            findings.Select(f => int.Parse(f.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    [Fact]
    public void RandomStream_may_draw_with_a_generator_or_on_a_device_but_not_both()
    {
        var findings = Check(
            """
            using TorchSharp;
            class C
            {
                torch.Tensor F(torch.Generator? g, torch.Device d) => g is null ? torch.rand(new long[] { 2 }, device: d) : torch.rand(new long[] { 2 }, generator: g);
                torch.Tensor G(torch.Device d) => torch.rand(new long[] { 2 }, device: d, generator: null);
            }
            """,
            RandomDrawRule.RandomStreamFile);

        Assert.Empty(findings);
    }

    private static string[] Check(string source, string path = "src/Runtime/Snippet.cs")
    {
        var compilation = CSharpSources.Compile("Snippet", [(path, source)]);
        Assert.Empty(CSharpSources.Errors(compilation));
        return RandomDrawRule.Check(compilation).Select(f => f.ToString()).ToArray();
    }
}

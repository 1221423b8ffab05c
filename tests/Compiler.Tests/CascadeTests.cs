using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// One mistake, one diagnostic: what a mistake leaves unbound does not come back as further errors or warnings
/// (issue 26: a misspelt kind also reported "No stage is named 'world'" twice, a bad map key a false PIPE1011, and a
/// composition error hid every binding error of the file).
/// </summary>
public sealed class CascadeTests
{
    private const string World = """
        experiment cascade {
          data world = synthetic_videos { prompts = 16 }

          model gen = flow_generator {
            pretrain = { data: world.videos, steps: 3 }
          }

          model gen2 = flow_generator {
            pretrain = { data: world.videos, steps: 3 }
          }
        }

        """;

    [Fact]
    public void A_misspelt_kind_still_declares_its_stage_so_references_to_it_report_nothing_more()
    {
        var compilation = Sources.Compile(Sources.Mutate(World, "synthetic_videos", "synthetic_vidoes"));
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal(CompilerDiagnostics.UnknownKindCode, diagnostic.Code);
        Assert.Contains("did you mean 'synthetic_videos'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_read_only_by_a_stage_of_a_misspelt_kind_is_not_reported_unused()
    {
        var compilation = Sources.Compile(World.Replace("= flow_generator {", "= flow_generatr {", StringComparison.Ordinal));
        Assert.Equal([CompilerDiagnostics.UnknownKindCode, CompilerDiagnostics.UnknownKindCode], compilation.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void A_bad_map_key_does_not_hide_the_reference_behind_it_so_no_false_unused_stage()
    {
        var text = Sources.Mutate(World, "pretrain = { data: world.videos, steps: 3 }\n  }\n\n  model gen2", "pretrain = { dat: world.videos, steps: 3 }\n  }\n\n  model gen2");
        text = Sources.Mutate(text, "    pretrain = { data: world.videos, steps: 3 }\n  }\n}", "    pretrain = { data: world.videos, stpes: 3 }\n  }\n}");
        var compilation = Sources.Compile(text);
        Assert.Equal([CompilerDiagnostics.UnknownFieldCode, CompilerDiagnostics.UnknownFieldCode], compilation.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void An_unknown_property_or_a_value_of_the_wrong_type_still_counts_as_reading_its_stages()
    {
        var unknown = Sources.Compile(World.Replace("pretrain = { data: world.videos, steps: 3 }", "pretrian = { data: world.videos, steps: 3 }", StringComparison.Ordinal));
        Assert.DoesNotContain(unknown.Diagnostics, d => d.Code == CompilerDiagnostics.UnusedStageCode);
        var wrongType = Sources.Compile(World.Replace("steps: 3", "steps: \"three\"", StringComparison.Ordinal));
        Assert.Equal([CompilerDiagnostics.TypeMismatchCode, CompilerDiagnostics.TypeMismatchCode], wrongType.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void A_composition_error_is_reported_together_with_the_binding_errors_of_the_rest()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("base.pipe"), Sources.Mutate(World, "steps: 3 }\n  }\n\n  model gen2", "steps: 3 }\n    widht = 8\n  }\n\n  model gen2"));
        File.WriteAllText(temp.Combine("variant.pipe"), "experiment variant extends \"base.pipe\" {\n  nosuch.beta = 3\n  gen2.width = \"wide\"\n}\n");
        var compilation = Compilation.Load(temp.Combine("variant.pipe"), new CompilationOptions { UseCache = false });
        Assert.Equal(
            [(DiagnosticBuilder.OverrideOfUnknownStageCode, "variant.pipe"), (CompilerDiagnostics.TypeMismatchCode, "variant.pipe"), (CompilerDiagnostics.UnknownPropertyCode, "base.pipe")],
            compilation.Diagnostics.Select(d => (d.Code, Path.GetFileName(d.Path))));
        Assert.Contains("name a declared stage: world, gen, gen2", compilation.Diagnostics[0].Message, StringComparison.Ordinal);
    }
}

namespace Pipeline.Runtime.Tests.SourceRules;

/// <summary>
/// The layer rule (<see cref="LayerRule"/>) tested on small trees of files that break it, one way each, and on one that
/// keeps it while reaching types the ways real code does (<c>var</c>, extension methods, attributes, base types).
/// </summary>
public sealed class LayerRuleTests
{
    [Fact]
    public void The_runtime_keeps_its_layers_and_its_folders()
    {
        var compilation = CSharpSources.Runtime;
        Assert.Empty(CSharpSources.Errors(compilation));

        var findings = LayerRule.Check(compilation);

        Assert.True(findings.Count == 0, "the runtime breaks its layers (docs/runtime.md):\n" + string.Join("\n", findings));
    }

    [Fact]
    public void A_namespace_that_differs_from_its_folder_is_found()
    {
        var findings = Check(("src/Runtime/Core/Video.cs", "namespace Pipeline.Runtime.Data;\npublic sealed class Video { }\n"));

        Assert.Equal(["src/Runtime/Core/Video.cs:1: namespace Pipeline.Runtime.Data differs from its folder; a file in src/Runtime/Core declares Pipeline.Runtime.Core"], findings);
    }

    [Fact]
    public void A_file_outside_every_layer_and_a_type_outside_every_namespace_are_found()
    {
        var findings = Check(
            ("src/Runtime/Helpers/Text.cs", "namespace Pipeline.Runtime.Helpers;\npublic static class Text { }\n"),
            ("src/Runtime/Core/Loose.cs", "public sealed class Loose { }\n"));

        Assert.Equal(
            [
                "src/Runtime/Core/Loose.cs:1: the file declares types outside a namespace; declare them in Pipeline.Runtime.Core",
                "src/Runtime/Helpers/Text.cs:1: namespace Pipeline.Runtime.Helpers is in no layer; a file lives under one of src/Runtime/Core, src/Runtime/Torch, src/Runtime/Data, src/Runtime/Kinds, src/Runtime/Execution",
            ],
            findings);
    }

    [Fact]
    public void A_lower_layer_naming_a_higher_one_is_found_where_it_first_does()
    {
        var findings = Check(
            ("src/Runtime/Core/Shape.cs", """
                namespace Pipeline.Runtime.Core;
                public sealed class Shape
                {
                    public int Size => 1;

                    public object Run() => Pipeline.Runtime.Kinds.FlowDpo.FlowDpoStage.Run();
                }
                """),
            ("src/Runtime/Kinds/FlowDpo/FlowDpoStage.cs", """
                namespace Pipeline.Runtime.Kinds.FlowDpo;
                public static class FlowDpoStage
                {
                    public static object Run() => 1;
                }
                """));

        Assert.Equal(["src/Runtime/Core/Shape.cs:6: Pipeline.Runtime.Core names Pipeline.Runtime.Kinds.FlowDpo.FlowDpoStage: the Core layer may use its own namespaces, not Kinds"], findings);
    }

    [Fact]
    public void Torch_and_Data_of_equal_rank_do_not_name_each_other_not_even_through_var_or_an_extension_method()
    {
        var throughVar = Check(
            ("src/Runtime/Data/Labels.cs", """
                namespace Pipeline.Runtime.Data;
                public static class Labels
                {
                    public static void Use()
                    {
                        var stream = Pipeline.Runtime.Torch.Streams.Make();
                    }
                }
                """),
            ("src/Runtime/Torch/Streams.cs", """
                namespace Pipeline.Runtime.Torch;
                public static class Streams
                {
                    public static Stream Make() => new();
                }

                public sealed class Stream { }
                """));
        var throughExtension = Check(
            ("src/Runtime/Data/Labels.cs", """
                namespace Pipeline.Runtime.Data;
                public static class Labels
                {
                    public static int Count(this string text) => text.Length;
                }
                """),
            ("src/Runtime/Torch/Streams.cs", """
                using Pipeline.Runtime.Data;
                namespace Pipeline.Runtime.Torch;
                public static class Streams
                {
                    public static int Tokens(string prompt) => prompt.Count();
                }
                """));

        Assert.Equal(["src/Runtime/Data/Labels.cs:6: Pipeline.Runtime.Data names Pipeline.Runtime.Torch.Stream: the Data layer may use its own namespaces and Core, not Torch"], throughVar);
        Assert.Equal(["src/Runtime/Torch/Streams.cs:5: Pipeline.Runtime.Torch names Pipeline.Runtime.Data.Labels: the Torch layer may use its own namespaces and Core, not Data"], throughExtension);
    }

    [Fact]
    public void Namespaces_of_one_layer_that_name_each_other_are_a_cycle_with_each_step_named()
    {
        var findings = Check(
            ("src/Runtime/Data/Pairs/Pair.cs", """
                namespace Pipeline.Runtime.Data.Pairs;
                public sealed class Pair
                {
                    public Pipeline.Runtime.Data.Synthetic.World? World { get; init; }
                }
                """),
            ("src/Runtime/Data/Synthetic/World.cs", """
                using Pipeline.Runtime.Data.Pairs;
                namespace Pipeline.Runtime.Data.Synthetic;
                [Marker]
                public sealed class World
                {
                    public Pair[] Pairs { get; } = [];
                }
                """),
            ("src/Runtime/Data/Pairs/MarkerAttribute.cs", "namespace Pipeline.Runtime.Data.Pairs;\npublic sealed class MarkerAttribute : System.Attribute { }\n"));

        Assert.Equal(
            ["src/Runtime/Data/Pairs/Pair.cs:4: namespace cycle: Pipeline.Runtime.Data.Pairs (src/Runtime/Data/Pairs/Pair.cs:4 names World) → Pipeline.Runtime.Data.Synthetic (src/Runtime/Data/Synthetic/World.cs:3 names MarkerAttribute) → Pipeline.Runtime.Data.Pairs"],
            findings);
    }

    [Fact]
    public void Downward_references_across_every_layer_and_between_two_kinds_are_allowed()
    {
        var findings = Check(
            ("src/Runtime/Core/Video.cs", "namespace Pipeline.Runtime.Core;\npublic class Video { }\n"),
            ("src/Runtime/Torch/Models/Net.cs", "using Pipeline.Runtime.Core;\nnamespace Pipeline.Runtime.Torch.Models;\npublic class Net : Video { }\n"),
            ("src/Runtime/Data/Pairs/Pair.cs", "using Pipeline.Runtime.Core;\nnamespace Pipeline.Runtime.Data.Pairs;\npublic class Pair { public Video? A { get; init; } }\n"),
            ("src/Runtime/Kinds/Stage.cs", "namespace Pipeline.Runtime.Kinds;\npublic class Stage { public Pipeline.Runtime.Torch.Models.Net? Net { get; init; } }\n"),
            ("src/Runtime/Kinds/FlowGenerator/Generator.cs", "namespace Pipeline.Runtime.Kinds.FlowGenerator;\npublic class Generator : Pipeline.Runtime.Kinds.Stage { }\n"),
            ("src/Runtime/Kinds/FlowSft/Sft.cs", "namespace Pipeline.Runtime.Kinds.FlowSft;\npublic class Sft : Pipeline.Runtime.Kinds.FlowGenerator.Generator { public Pipeline.Runtime.Data.Pairs.Pair? P { get; init; } }\n"),
            ("src/Runtime/Execution/Runner.cs", "namespace Pipeline.Runtime.Execution;\npublic class Runner { public object Run() => new Pipeline.Runtime.Kinds.FlowSft.Sft(); }\n"));

        Assert.Empty(findings);
    }

    private static string[] Check(params (string Path, string Text)[] files)
    {
        var compilation = CSharpSources.Compile("Snippet", files);
        Assert.Empty(CSharpSources.Errors(compilation));
        return LayerRule.Check(compilation).Select(f => f.ToString()).ToArray();
    }
}

using System.Globalization;
using CsCheck;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// Property-based tests of <c>--set PATH=VALUE</c> through the whole front end (parse, apply, bind, check): whatever
/// the value, compiling never throws, every diagnostic points into a source the CLI can print (the file or the
/// <c>--set</c> itself), and a value set on the command line is the same experiment as the value written in the file.
/// </summary>
public sealed class SetPropertyTests
{
    private static readonly string[] Paths =
    [
        "seed", "device", "world.prompts", "world.resolution", "world.generators", "gen.width", "gen.pretrain",
        "gen.pretrain.lr", "gen.pretrain.data", "gen.pretrain.steps", "world", "nope.x", "gen.nope", "gen.pretrain.nope",
        "world.prompts.x", "gen.width.x.y", "a..b", ".", "gen.",
    ];

    private static readonly string[] Values =
    [
        "64", "-1", "0", "9223372036854775807", "9223372036854775808", "1e999", "1e-999", "0.5", "-0.0", "true", "\"cuda:0\"",
        "\"\\\"); System.Environment.Exit(1); //\"", "cpu", "world.videos", "gen", "[8, 8]", "[8, 8, 8]", "[[[1]]]",
        "{ data: world.videos, steps: 10, lr: 1e-3, batch: 4 }", "{ lr: 1 }", "sweep [4, 8]", "sweep []", "f(x: 1)",
        "flow_generator { width = 4 }", "", " ", "[", "}", "\"", "// only a comment", "1 2", "1,", "\u0000", "\uD800", "é",
    ];

    private const string Noise = "[]{}(),:=\".-e0123456789 \n\t\\/#";

    private static readonly Gen<(string Path, string Value)> Sets =
        from path in Gen.Int[0, Paths.Length - 1].Select(i => Paths[i])
        from value in Gen.Int[0, Values.Length - 1].Select(i => Values[i])
        from edits in Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1000], Gen.Char[Noise]).Array[0, 3]
        select (path, Edit(value, edits));

    [Fact]
    public void Random_set_values_never_throw_and_every_diagnostic_points_into_a_printable_source()
    {
        Sets.Array[1, 3].Sample(sets =>
        {
            var compilation = Sources.Compile(Sources.Hello, sets.Select(s => $"{s.Path}={s.Value}").ToArray());
            foreach (var diagnostic in compilation.Diagnostics)
            {
                Assert.NotNull(diagnostic.Path);
                Assert.True(compilation.Sources.TryGetValue(diagnostic.Path, out var source), $"{diagnostic.Path} is not among the sources");
                Assert.True(diagnostic.Span.Start >= 0 && diagnostic.Span.Start + diagnostic.Span.Length <= source.Text.Length, $"{diagnostic} lies outside '{source.Text}'");
                Assert.Matches("^PIPE[0-3][0-9]{3}$", diagnostic.Code);
            }

            if (!compilation.HasErrors)
            {
                _ = compilation.CanonicalSource;
                _ = compilation.SemanticModel.Stages.Select(s => s.Hash).ToList();
            }
        }, iter: 400);
    }

    [Fact]
    public void A_value_set_on_the_command_line_is_the_same_experiment_as_the_value_written_in_the_file()
    {
        Gen.Select(Gen.Int[-10, 5000], Gen.Int[-7, 2], Gen.Int[1, 9]).Sample((width, exponent, mantissa) =>
        {
            var lr = $"{mantissa}e{exponent}";
            var written = Sources.Compile(Sources.Hello
                .Replace("width = 128", $"width = {width}", StringComparison.Ordinal)
                .Replace("lr: 1e-3", $"lr: {lr}", StringComparison.Ordinal));
            var set = Sources.Compile(Sources.Hello, $"gen.width={width}", $"gen.pretrain.lr= {lr} // set");
            Assert.Equal(written.Diagnostics.Select(d => d.Code), set.Diagnostics.Select(d => d.Code));
            Assert.All(set.Diagnostics.Where(d => d.IsError), d => Assert.StartsWith("--set gen.", d.Path, StringComparison.Ordinal));
            if (!written.HasErrors)
            {
                Assert.Equal(written.CanonicalSource.Replace("experiment hello", string.Empty, StringComparison.Ordinal), set.CanonicalSource.Replace("experiment hello", string.Empty, StringComparison.Ordinal));
                Assert.Equal(written.SemanticModel.FindStage("gen")!.Hash, set.SemanticModel.FindStage("gen")!.Hash);
            }
        }, iter: 150);
    }

    [Fact]
    public void Setting_a_property_to_its_own_value_changes_nothing()
    {
        var plain = Sources.Compile(Sources.Hello);
        string[] same = ["seed=7", "gen.width=128", "world.resolution=[8, 8]", "gen.pretrain.lr=1e-3", "gen.pretrain.lr=0.001", "world.prompts= 16 "];
        Gen.Int[0, same.Length - 1].Select(i => same[i]).Array[1, 4].Sample(sets =>
        {
            var set = Sources.Compile(Sources.Hello, sets);
            Assert.Empty(set.Diagnostics);
            Assert.Equal(plain.SourceSha256, set.SourceSha256);
        }, iter: 50);
    }

    [Fact]
    public void A_reference_set_on_the_command_line_is_reported_inside_its_value()
    {
        var compilation = Sources.Compile(Sources.Hello, "gen.pretrain.data=gen");
        var diagnostic = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal("--set gen.pretrain.data", diagnostic.Path);
        Assert.True(diagnostic.Span.Start + diagnostic.Span.Length <= 3, diagnostic.ToString());
    }

    [Fact]
    public void A_key_set_by_an_override_is_reported_where_it_was_written_and_the_other_keys_where_they_were()
    {
        // Found by the property above: after --set gen.pretrain.lr (or `gen.pretrain.lr = ...` in an extending file),
        // a mistake in another key of `pretrain` was printed against the override's text, at the base file's offsets.
        var broken = Sources.Hello.Replace("steps: 300", "steps: -1", StringComparison.Ordinal);
        var line = broken.Split('\n').ToList().FindIndex(l => l.Contains("steps: -1", StringComparison.Ordinal)) + 1;
        var set = Sources.Compile(broken, "gen.pretrain.lr=1e-4");
        var steps = Assert.Single(set.Diagnostics, d => d.IsError);
        Assert.Equal("test.pipe", steps.Path);
        Assert.Equal(line, set.Sources["test.pipe"].GetLineColumn(steps.Span.Start).Line);
        var lr = Assert.Single(Sources.Compile(Sources.Hello, "gen.pretrain.lr=-1").Diagnostics, d => d.IsError);
        Assert.Equal("--set gen.pretrain.lr", lr.Path);

        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("base.pipe"), broken);
        File.WriteAllText(temp.Combine("variant.pipe"), "experiment variant extends \"base.pipe\" {\n  gen.pretrain.lr = -1\n}\n");
        var composed = Compilation.Load(temp.Combine("variant.pipe"), new CompilationOptions { ReferencePaths = TestEnvironment.References, UseCache = false });
        var errors = composed.Diagnostics.Where(d => d.IsError).Select(d => $"{Path.GetFileName(d.Path)}:{composed.Sources[d.Path!].GetLineColumn(d.Span.Start).Line} {d.Code}").Order(StringComparer.Ordinal);
        Assert.Equal([$"base.pipe:{line} PIPE2002", "variant.pipe:2 PIPE2003"], errors);
    }

    [Fact]
    public void The_same_path_set_twice_reports_each_value_at_its_own_position()
    {
        // Found by the property above: both values were printed against the second one's text (1:1 instead of 1:29).
        var compilation = Sources.Compile(Sources.Hello, "world.generators=flow_generator { width = 4 }6", "world.generators=");
        var first = Assert.Single(compilation.Diagnostics, d => d.Path == "--set world.generators");
        Assert.Equal((1, 29), compilation.Sources[first.Path!].GetLineColumn(first.Span.Start));
        Assert.Single(compilation.Diagnostics, d => d.Path == "--set world.generators (2)");
    }

    [Fact]
    public void An_unknown_property_set_three_times_is_reported_in_the_last_value()
    {
        // Found by the property above in CI: the property node kept the first value's span ([0..53) of a long map)
        // while its diagnostic named the third --set, whose text is "-64".
        var compilation = Sources.Compile(Sources.Hello, "gen.nope=[[[1]]]=", "gen.nope={ data: world.videos, steps: 10, lr: 1e-3, batch: 4 }", "gen.nope=-64");
        var unknown = Assert.Single(compilation.Diagnostics, d => d.Code == "PIPE1005");
        Assert.Equal("--set gen.nope (3)", unknown.Path);
        Assert.True(unknown.Span.Start + unknown.Span.Length <= "-64".Length, unknown.ToString());
    }

    private static string Edit(string text, (int Kind, int Position, char Character)[] edits)
    {
        foreach (var (kind, raw, character) in edits)
        {
            var position = text.Length == 0 ? 0 : raw % (text.Length + 1);
            text = kind switch
            {
                0 => text.Insert(position, character.ToString()),
                1 when position < text.Length => text.Remove(position, 1),
                _ => text + character.ToString(CultureInfo.InvariantCulture),
            };
        }

        return text;
    }
}

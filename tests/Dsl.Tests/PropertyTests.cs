using System.Globalization;
using CsCheck;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary>
/// Property-based tests over random mutations of every example and corpus file: whatever a person (or a fuzzer)
/// types, parsing, formatting and diffing never throw, spans stay consistent, and formatting is idempotent.
/// </summary>
public sealed class PropertyTests
{
    private static readonly string[] Sources = TestFiles.ValidFiles().Select(TestFiles.Read).ToArray();

    // Characters that matter to the grammar, plus a few that do not belong in it at all.
    private const string Interesting = "{}[]()=,.:\"\\\n -e0123456789abc_/\t\r#@é";

    private static readonly Gen<string> Mutated =
        from index in Gen.Int[0, Sources.Length - 1]
        from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Int[1, 12], Gen.Char[Interesting]).Array[1, 6]
        select Mutate(Sources[index], edits);

    [Fact]
    public void Random_mutations_never_throw_and_keep_spans_consistent()
    {
        Mutated.Sample(text =>
        {
            var tree = TestFiles.ParseText(text);
            Assert.NotNull(tree.Root);
            Assert.Empty(SpanTests.SpanProblems(tree.Root, text.Length));
            _ = SyntaxFormatter.Format(tree.Root);
            _ = CanonicalForm.Text(tree.Root.Experiment);
            _ = SemanticDiff.Compare(tree.Root.Experiment, TestFiles.ParseText(Sources[0]).Root.Experiment);
        }, iter: 1500);
    }

    [Fact]
    public void Formatting_a_mutation_that_parses_is_idempotent_and_preserves_the_tree()
    {
        var clean = 0;
        Mutated.Sample(text =>
        {
            var tree = TestFiles.ParseText(text);
            if (tree.HasErrors)
            {
                return;
            }

            Interlocked.Increment(ref clean);

            var once = SyntaxFormatter.Format(tree.Root);
            var reparsed = TestFiles.ParseText(once);
            Assert.Empty(reparsed.Diagnostics);
            Assert.True(SyntaxEquivalence.AreEquivalent(tree.Root, reparsed.Root), "parse(format(x)) differs from parse(x)");
            Assert.Equal(once, SyntaxFormatter.Format(reparsed.Root));
        }, iter: 1500);

        // Enough mutations must still parse for the property to mean something.
        Assert.True(clean >= 100, $"only {clean} of 1500 mutations parsed without errors");
    }

    [Fact]
    public void Formatting_keeps_the_canonical_text()
    {
        Mutated.Sample(text =>
        {
            var tree = TestFiles.ParseText(text);
            if (tree.HasErrors)
            {
                return;
            }

            var reformatted = TestFiles.ParseText(SyntaxFormatter.Format(tree.Root));
            Assert.Equal(CanonicalForm.Text(tree.Root.Experiment), CanonicalForm.Text(reformatted.Root.Experiment));
            Assert.Empty(SemanticDiff.Compare(tree.Root.Experiment, reformatted.Root.Experiment));
        }, iter: 500);
    }

    // --set values: the text after '=' is parsed by SyntaxTree.ParseValue, alone, as the source "--set PATH".

    /// <summary>A well-formed value in the language's syntax, up to <paramref name="depth"/> levels of lists, maps and calls.</summary>
    private static string RandomValue(Random random, int depth, bool top = true)
    {
        var kind = random.Next(depth > 0 ? (top ? 10 : 9) : 6);
        string Items(int min, int max, Func<int, string> item) => string.Join(", ", Enumerable.Range(0, random.Next(min, max)).Select(item));
        return kind switch
        {
            0 => random.NextInt64(long.MinValue + 1, long.MaxValue).ToString(CultureInfo.InvariantCulture),
            1 => $"{random.Next(0, 1000)}.{random.Next(0, 1000)}e{random.Next(-300, 300)}",
            2 => random.Next(2) == 0 ? "true" : "false",
            3 => SyntaxFormatter.Quote(new string(Enumerable.Range(0, random.Next(0, 12)).Select(_ => "ab \"\\\n\t{}[]=,é"[random.Next(14)]).ToArray())),
            4 => string.Join('.', Enumerable.Range(0, random.Next(1, 4)).Select(i => "n" + random.Next(100))),
            5 => "-" + random.Next(0, 1000) + "e-" + random.Next(0, 20),
            6 => "[" + Items(0, 4, _ => RandomValue(random, depth - 1, false)) + "]",
            7 => "{ " + Items(0, 4, i => $"k{i}: {RandomValue(random, depth - 1, false)}") + " }",
            8 => "f(" + Items(0, 3, i => $"a{i}: {RandomValue(random, depth - 1, false)}") + ")",
            _ => "sweep [" + Items(1, 4, _ => RandomValue(random, 0, false)) + "]",
        };
    }

    private static readonly Gen<string> WellFormedValue = Gen.Int.Select(seed => RandomValue(new Random(seed), 3));

    private static readonly Gen<string> MutatedValue =
        from value in WellFormedValue
        from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Int[1, 6], Gen.Char[Interesting + "\0\u0007"]).Array[0, 4]
        select Mutate(value, edits);

    [Fact]
    public void Set_values_never_throw_and_their_diagnostics_point_into_the_value()
    {
        MutatedValue.Sample(text =>
        {
            var (value, diagnostics) = SyntaxTree.ParseValue(new SourceText("--set a.b", text));
            Assert.True(value is not null || diagnostics.Any(d => d.IsError), "no value and no error");
            Assert.All(diagnostics, d =>
            {
                Assert.Equal("--set a.b", d.Path);
                Assert.InRange(d.Span.Start, 0, text.Length);
                Assert.InRange(d.Span.Start + d.Span.Length, 0, text.Length);
                Assert.Matches("^PIPE0[0-9]{3}$", d.Code);
            });
            if (value is not null)
            {
                _ = SyntaxFormatter.FormatValueInline(value);
            }
        }, iter: 2000);
    }

    [Fact]
    public void A_well_formed_set_value_parses_and_its_formatted_form_parses_to_the_same_value()
    {
        WellFormedValue.Sample(text =>
        {
            var (value, diagnostics) = SyntaxTree.ParseValue(new SourceText("--set a.b", text));
            Assert.True(diagnostics.IsEmpty, $"{text}: {string.Join("; ", diagnostics.Select(d => d.Code + " " + d.Message))}");
            var formatted = SyntaxFormatter.FormatValueInline(value!);
            var (again, more) = SyntaxTree.ParseValue(new SourceText("--set a.b", "  " + formatted + "  // a comment\n"));
            Assert.Empty(more);
            Assert.Equal(formatted, SyntaxFormatter.FormatValueInline(again!));
        }, iter: 1000);
    }

    [Fact]
    public void Huge_and_deep_set_values_get_their_guard_diagnostic()
    {
        Assert.Equal(DiagnosticBuilder.NestingTooDeepCode, Assert.Single(SyntaxTree.ParseValue(new SourceText("--set a.b", new string('[', 10_000))).Diagnostics).Code);
        Assert.Equal(DiagnosticBuilder.IntegerOutOfRangeCode, Assert.Single(SyntaxTree.ParseValue(new SourceText("--set a.b", new string('9', 20_000))).Diagnostics).Code);
        Assert.Equal(DiagnosticBuilder.RealOutOfRangeCode, Assert.Single(SyntaxTree.ParseValue(new SourceText("--set a.b", "-1e999")).Diagnostics).Code);
        Assert.Equal(DiagnosticBuilder.LineTooLongCode, Assert.Single(SyntaxTree.ParseValue(new SourceText("--set a.b", "\"" + new string('a', 100_000) + "\"")).Diagnostics).Code);
        Assert.Equal(DiagnosticBuilder.NulCharacterCode, Assert.Single(SyntaxTree.ParseValue(new SourceText("--set a.b", "1\0")).Diagnostics).Code);
    }

    // Composition chains: f0 extends f1 extends ... f(n-1), each file setting some of the same properties, the last one
    // possibly extending an earlier one (a cycle), with the base path spelt in several equivalent ways.

    private sealed record Chain(int Length, int? CycleTo, int[][] Seeds, int[] Spelling)
    {
        public override string ToString() => $"{Length} files, cycle to {CycleTo?.ToString(CultureInfo.InvariantCulture) ?? "none"}";
    }

    private static readonly Gen<Chain> Chains =
        from length in Gen.Int[1, 12]
        from cycle in Gen.Int[-length, length - 1]
        from seeds in Gen.Int[-1, 50].Array[3].Array[length]
        from spelling in Gen.Int[0, 2].Array[length]
        select new Chain(length, cycle < 0 ? null : cycle, seeds, spelling);

    private static Dictionary<string, string> ChainFiles(Chain chain)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < chain.Length; i++)
        {
            int? next = i < chain.Length - 1 ? i + 1 : chain.CycleTo;
            var name = next is { } n ? chain.Spelling[i] switch { 0 => $"f{n}.pipe", 1 => $"./f{n}.pipe", _ => $"sub/../f{n}.pipe" } : null;
            var extends = name is null ? string.Empty : $" extends \"{name}\"";
            var properties = chain.Seeds[i].Select((v, p) => v < 0 ? null : $"  p{p} = {v}\n").Where(p => p is not null);
            var stage = i == chain.Length - 1 ? "  data world = synthetic_videos { prompts = 99 }\n" : $"  world.prompts = {16 + i}\n";
            files[Path.GetFullPath($"f{i}.pipe")] = $"experiment f{i}{extends} {{\n{string.Concat(properties)}{stage}}}\n";
        }

        return files;
    }

    [Fact]
    public void Extends_chains_compose_nearest_first_and_every_cycle_is_one_diagnostic()
    {
        Chains.Sample(chain =>
        {
            var files = ChainFiles(chain);
            var resolved = Composition.Resolve("f0.pipe", p => files.GetValueOrDefault(Path.GetFullPath(p)));
            if (chain.CycleTo is not null)
            {
                var cycle = Assert.Single(resolved.Diagnostics);
                Assert.Equal(DiagnosticBuilder.ExtendsCycleCode, cycle.Code);
                Assert.Equal($"f{chain.Length - 1}.pipe", Path.GetFileName(cycle.Path));
                Assert.Contains($"f{chain.Length - 1}.pipe → f{chain.CycleTo}.pipe)", cycle.Message);
                return;
            }

            Assert.Empty(resolved.Diagnostics);
            Assert.Equal(chain.Length, resolved.Files.Length);
            Assert.Null(resolved.Experiment.Extends);
            for (var p = 0; p < 3; p++)
            {
                // The nearest file that sets a property wins; a property no file sets is absent.
                var nearest = chain.Seeds.Select(s => s[p]).FirstOrDefault(v => v >= 0, -1);
                var property = resolved.Experiment.Members.OfType<PropertySyntax>().SingleOrDefault(m => m.Name.Name == $"p{p}");
                Assert.Equal(nearest < 0 ? null : nearest.ToString(CultureInfo.InvariantCulture), (property?.Value as IntegerLiteralSyntax)?.Text);
            }

            // Overrides apply from the base outwards, so f0's override (16) is the one that stays.
            var world = resolved.Experiment.Members.OfType<StageSyntax>().Single();
            var prompts = ((IntegerLiteralSyntax)world.Properties.Single(p => p.Name.Name == "prompts").Value).Value;
            Assert.Equal(chain.Length == 1 ? 99 : 16, prompts);
        }, iter: 500);
    }

    [Fact]
    public void An_extends_chain_deeper_than_the_limit_is_one_diagnostic_not_a_stack_overflow()
    {
        var files = Enumerable.Range(0, 20_000).ToDictionary(
            i => Path.GetFullPath($"deep{i}.pipe"),
            i => $"experiment d{i} extends \"deep{i + 1}.pipe\" {{\n  seed = {i}\n}}\n");
        var resolved = Composition.Resolve("deep0.pipe", p => files.GetValueOrDefault(Path.GetFullPath(p)));
        var diagnostic = Assert.Single(resolved.Diagnostics);
        Assert.Equal(DiagnosticBuilder.ExtendsTooDeepCode, diagnostic.Code);
        Assert.Equal($"deep{Composition.MaxExtendsDepth - 1}.pipe", diagnostic.Path);
        Assert.Equal(Composition.MaxExtendsDepth, resolved.Files.Length);

        // A chain at the limit composes.
        var atLimit = Composition.Resolve($"deep{20_000 - Composition.MaxExtendsDepth + 1}.pipe", p => files.GetValueOrDefault(Path.GetFullPath(p)) ?? "experiment end {\n}\n");
        Assert.Empty(atLimit.Diagnostics);
    }

    private static string Mutate(string text, (int Kind, int Position, int Length, char Character)[] edits)
    {
        foreach (var (kind, rawPosition, rawLength, character) in edits)
        {
            if (text.Length == 0)
            {
                text = character.ToString();
                continue;
            }

            var position = rawPosition % text.Length;
            var length = Math.Min(rawLength, text.Length - position);
            text = kind switch
            {
                0 => text.Remove(position, length),                                       // delete a run
                1 => text.Insert(position, character.ToString()),                         // insert a character
                2 => text.Insert(position, text.Substring(position, length)),             // duplicate a run
                _ => text.Remove(position, 1).Insert(position, character.ToString()),     // replace a character
            };
        }

        return text;
    }
}

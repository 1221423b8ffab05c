using CsCheck;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;

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

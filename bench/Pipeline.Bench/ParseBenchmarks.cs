using BenchmarkDotNet.Attributes;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Text;

namespace Pipeline.Bench;

/// <summary>
/// Parsing the largest example (target: under 10 ms after warm-up), plus formatting, the canonical text and the
/// semantic diff against the same file with one value changed (what <c>pipeline diff</c> computes and prints).
/// Run: <c>dotnet run -c Release --project bench/Pipeline.Bench -- --filter '*ParseBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ParseBenchmarks
{
    private SourceText source = new("empty.pipe", string.Empty);
    private SyntaxTree tree = SyntaxTree.Parse(new SourceText("empty.pipe", string.Empty));
    private SyntaxTree changed = SyntaxTree.Parse(new SourceText("empty.pipe", string.Empty));

    [GlobalSetup]
    public void Setup()
    {
        var largest = LargestExample();
        source = new SourceText(largest, File.ReadAllText(largest));
        tree = SyntaxTree.Parse(source);
        if (tree.HasErrors)
        {
            throw new InvalidOperationException($"{largest} does not parse cleanly; benchmark a valid file.");
        }

        // Each "seed = N" (the largest example has one) becomes N + 1: one changed value, as in a typical edit.
        var text = System.Text.RegularExpressions.Regex.Replace(source.Text, @"seed = (\d+)", m => $"seed = {int.Parse(m.Groups[1].Value) + 1}", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        changed = SyntaxTree.Parse(new SourceText(largest, text));
        if (SemanticDiff.Compare(tree.Root.Experiment, changed.Root.Experiment).IsEmpty)
        {
            throw new InvalidOperationException($"{largest} has no 'seed = N' to change; the diff benchmark needs one.");
        }
    }

    [Benchmark]
    public SyntaxTree Parse() => SyntaxTree.Parse(source);

    [Benchmark]
    public string Format() => SyntaxFormatter.Format(tree.Root);

    [Benchmark]
    public string Canonical() => CanonicalForm.Text(tree.Root.Experiment);

    [Benchmark]
    public string Diff() => SemanticDiff.FormatText(SemanticDiff.Compare(tree.Root.Experiment, changed.Root.Experiment));

    /// <summary>The largest examples/*.pipe (the language sketch when there is none), found from the working directory up.</summary>
    public static string LargestExample()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            var examples = Path.Combine(folder.FullName, "examples");
            if (Directory.Exists(examples) && Directory.GetFiles(examples, "*.pipe").Length > 0)
            {
                var files = Directory.GetFiles(examples, "*.pipe").Select(f => new FileInfo(f));
                var sketch = new FileInfo(Path.Combine(folder.FullName, "tests", "Dsl.Tests", "Corpus", "videoalign-sketch.pipe"));
                return files.Append(sketch).Where(f => f.Exists).MaxBy(f => f.Length)!.FullName;
            }
        }

        throw new InvalidOperationException("No examples/*.pipe above " + Directory.GetCurrentDirectory());
    }
}

using System.Text;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Tests;

/// <summary>
/// Golden files. A baseline that differs fails the test with both texts; setting PIPELINE_UPDATE_BASELINES=1
/// rewrites every baseline instead (review the git diff afterwards).
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "PIPELINE_UPDATE_BASELINES";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static void Check(string baselinePath, string actual)
    {
        var fullPath = Path.Combine(TestFiles.BaselineDirectory, baselinePath);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            File.WriteAllText(fullPath, actual);
            return;
        }

        Assert.True(File.Exists(fullPath), $"Baseline {fullPath} is missing; run the tests with {UpdateVariable}=1 to create it.");
        var expected = File.ReadAllText(fullPath).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    /// <summary>The source with each diagnostic written on a comment line under the line it points into.</summary>
    public static string WithInlineDiagnostics(SourceText source, IEnumerable<Diagnostic> diagnostics)
    {
        var byLine = diagnostics
            .GroupBy(d => source.GetLineColumn(d.Span.Start).Line)
            .ToDictionary(g => g.Key, g => g.ToList());
        var builder = new StringBuilder();
        for (var line = 1; line <= source.LineCount; line++)
        {
            var text = source.GetLine(line);
            if (line == source.LineCount && text.Length == 0 && !byLine.ContainsKey(line))
            {
                break;
            }

            builder.Append(text).Append('\n');
            foreach (var diagnostic in byLine.GetValueOrDefault(line) ?? [])
            {
                var column = source.GetLineColumn(diagnostic.Span.Start).Column;
                var width = Math.Max(1, Math.Min(diagnostic.Span.Length, text.Length - column + 1));
                // The carets sit under the span; columns 1 and 2 are under the "//", so the column is also written out.
                builder.Append("//").Append(' ', Math.Max(0, column - 3))
                    .Append('^', width)
                    .Append($" {line}:{column} {DiagnosticFormatter.LevelWord(diagnostic.Level)} {diagnostic.Code}: {diagnostic.Message}")
                    .Append('\n');
            }
        }

        return builder.ToString();
    }
}

using System.Diagnostics;
using System.Text;
using Pipeline.Compiler;
using Pipeline.Compiler.Lowering;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Text;
using Pipeline.LanguageServer.Analysis;

namespace Pipeline.LanguageServer.Features;

/// <summary>
/// The command <c>pipeline.semanticDiff</c>: the semantic diff (<c>pipeline diff</c>) of the file at git HEAD against
/// the editor's buffer. As with <c>pipeline diff --git</c>, the HEAD side resolves <c>extends</c> against the working tree.
/// </summary>
internal static class SemanticDiffCommand
{
    public const string Name = "pipeline.semanticDiff";

    private const int GitTimeoutMilliseconds = 10_000;

    public static string Run(DocumentAnalysis analysis)
    {
        var path = analysis.Path;
        if (!System.IO.Path.IsPathRooted(path))
        {
            return $"{path} is not a file on disk, so it has no version in git.\n";
        }

        var (headText, error) = ReadAtHead(path);
        if (headText is null)
        {
            return $"{System.IO.Path.GetFileName(path)}: no version at git HEAD to compare with ({error}).\n";
        }

        var before = Composition.Resolve(SyntaxTree.Parse(new SourceText(path, headText)), Composition.ReadFileOrNull);
        var after = analysis.Resolved;
        var text = new StringBuilder($"semantic diff of {System.IO.Path.GetFileName(path)}: git HEAD → editor\n");
        if (before.Files[0].Root.Experiment.Extends is not null || after.Files[0].Root.Experiment.Extends is not null)
        {
            text.Append("note: extends resolved against the working tree and the open documents\n");
        }

        if (before.HasErrors || after.HasErrors)
        {
            text.Append("cannot compare semantically, because of these errors:\n");
            foreach (var (side, resolved) in new[] { ("HEAD", before), ("editor", after) })
            {
                foreach (var diagnostic in resolved.Diagnostics)
                {
                    text.Append($"{side}: {DiagnosticFormatter.Format(diagnostic, resolved.SourceOf(diagnostic.Path))}\n");
                }
            }

            return text.ToString();
        }

        var changes = SemanticDiff.Compare(before.Experiment, after.Experiment);
        text.Append(SemanticDiff.FormatText(changes));
        if (!changes.IsEmpty && analysis.Compilation is { HasErrors: false } newModel
            && Compilation.Create(before, new CompilationOptions()) is { HasErrors: false } oldModel)
        {
            text.Append(ExperimentDiff.FormatResolved(oldModel.SemanticModel, newModel.SemanticModel));
        }

        return text.ToString();
    }

    /// <summary>The file's text at HEAD (<c>git show HEAD:./NAME</c> in its folder), or why there is none.</summary>
    private static (string? Text, string Error) ReadAtHead(string path)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = System.IO.Path.GetDirectoryName(path)!,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        info.ArgumentList.Add("show");
        info.ArgumentList.Add("HEAD:./" + System.IO.Path.GetFileName(path));
        try
        {
            using var git = Process.Start(info)!;
            git.StandardInput.Close();
            var output = git.StandardOutput.ReadToEndAsync();
            var errors = git.StandardError.ReadToEndAsync();
            if (!git.WaitForExit(GitTimeoutMilliseconds))
            {
                git.Kill(entireProcessTree: true);
                return (null, "git did not answer within 10 s");
            }

            return git.ExitCode == 0 ? (output.Result, string.Empty) : (null, errors.Result.Trim().Split('\n')[0]);
        }
        catch (Exception failure) when (failure is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return (null, "git cannot be run: " + failure.Message);
        }
    }
}

using System.CommandLine;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Formatting;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Text;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline fmt FILE... [--check]</c>: rewrites each file in the canonical layout. With <c>--check</c> nothing is
/// written; the files that are not canonical are listed and the exit code is 1 if there are any. A file with syntax
/// errors is never rewritten: its diagnostics are printed and the exit code is 1.
/// </summary>
internal static class FmtCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "Experiment files (.pipe) to format." };
        var check = new Option<bool>("--check") { Description = "Rewrite nothing; list the files that are not canonical and exit 1 if there are any." };
        var command = new Command("fmt", "Format experiment files in the one canonical layout.");
        command.Arguments.Add(files);
        command.Options.Add(check);
        command.SetAction(parsed => Run(parsed.GetValue(files) ?? [], parsed.GetValue(check), Console.Out));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, bool checkOnly, TextWriter output)
    {
        CheckCommand.RequireReadable(files);
        var failed = false;
        foreach (var file in files)
        {
            var text = Composition.ReadFileOrNull(file) ?? throw new UsageException($"cannot read '{file}'.");
            var tree = SyntaxTree.Parse(new SourceText(file, text));
            if (tree.HasErrors)
            {
                var printer = new DiagnosticPrinter(output);
                foreach (var diagnostic in tree.Diagnostics)
                {
                    printer.Print(diagnostic, tree.Source);
                }

                printer.Finish();

                failed = true;
                continue;
            }

            var formatted = SyntaxFormatter.Format(tree.Root);
            if (formatted == text)
            {
                continue;
            }

            if (checkOnly)
            {
                output.WriteLine(DiagnosticFormatter.OneLine(file));
                failed = true;
            }
            else
            {
                try
                {
                    // Whole or not at all: a full disk must not leave the experiment file half written.
                    DurableFile.WriteAllText(file, formatted, "formatted experiment");
                    output.WriteLine($"formatted {DiagnosticFormatter.OneLine(file)}");
                }
                catch (PipelineException error)
                {
                    output.WriteLine($"{DiagnosticFormatter.OneLine(file)}: error {error.Code}: {DiagnosticFormatter.OneLine(error.Message)}");
                    failed = true;
                }
            }
        }

        return failed ? CommandHost.Failure : CommandHost.Success;
    }
}

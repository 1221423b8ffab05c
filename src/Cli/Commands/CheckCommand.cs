using System.CommandLine;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Semantics;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline check FILE...</c>: composes each file with what it extends and prints every diagnostic as
/// <c>path:line:col: error PIPE0123: message.</c> Exit 0 without errors (warnings allowed), 1 with errors, 2 for a
/// usage error such as a file that cannot be read.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "Experiment files (.pipe) to check." };
        var command = new Command("check", "Check experiment files and print their diagnostics.");
        command.Arguments.Add(files);
        command.SetAction(parsed => Run(parsed.GetValue(files) ?? [], Console.Out));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, TextWriter output)
    {
        RequireReadable(files);
        var errors = 0;
        foreach (var file in files)
        {
            var resolved = Composition.Resolve(file, Composition.ReadFileOrNull);
            var printer = new DiagnosticPrinter(output);
            foreach (var diagnostic in resolved.Diagnostics)
            {
                printer.Print(diagnostic, resolved.SourceOf(diagnostic.Path));
            }

            // Binding and type checks run on a file that parses, so a syntax error is not echoed by binding errors.
            var bound = resolved.HasErrors ? null : Compiler.Compilation.Create(resolved, CompilerHost.Options());
            var binding = bound?.Diagnostics.Except(resolved.Diagnostics).ToList() ?? [];
            if (bound is not null)
            {
                CompilerHost.Print(binding, bound, printer);
            }

            printer.Finish();
            errors += printer.Errors;

            if (resolved.Diagnostics.IsEmpty && binding.Count == 0)
            {
                output.WriteLine($"{DiagnosticFormatter.OneLine(file)}: ok");
            }

            if (bound is not null && !bound.HasErrors && bound.SweepCount > 1)
            {
                output.WriteLine($"{DiagnosticFormatter.OneLine(file)}: sweep expands into {bound.SweepCount} runs ({string.Join(" × ", bound.SemanticModel.Sweeps.Select(a => $"{a.Path}: {a.Points.Length}"))})");
            }
        }

        return errors == 0 ? CommandHost.Success : CommandHost.Failure;
    }

    /// <summary>A file named on the command line that cannot be read is a usage error (exit 2), not a diagnostic.</summary>
    public static void RequireReadable(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                throw new UsageException($"cannot read '{file}': no such file.");
            }
        }
    }
}

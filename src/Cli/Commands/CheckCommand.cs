using System.CommandLine;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline check FILE... [--set PATH=VALUE]...</c>: composes each file with what it extends, applies the overrides
/// (to every file) and prints every diagnostic as <c>path:line:col: error PIPE0123: message.</c> Exit 0 without
/// errors (warnings allowed), 1 with errors, 2 for a usage error such as a file that cannot be read.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "Experiment files (.pipe) to check." };
        var sets = SetOption.Create("Override a value as run would: STAGE.PROPERTY=VALUE in the language's syntax, applied to every file; repeat for more.");
        var command = new Command("check", "Check experiment files and print their diagnostics.");
        command.Arguments.Add(files);
        command.Options.Add(sets);
        command.SetAction(parsed => Run(parsed.GetValue(files) ?? [], parsed.GetValue(sets) ?? [], Console.Out));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, IReadOnlyList<string> sets, TextWriter output)
    {
        RequireReadable(files);
        var errors = 0;
        foreach (var file in files)
        {
            // The compilation binds only a file that parses (Compilation.Diagnostics), so a syntax error is not echoed
            // by binding errors; an override it could not apply is reported beside them.
            var compilation = CompilerHost.Load(file, sets);
            errors += CompilerHost.Print(compilation.Diagnostics, compilation, output);
            if (compilation.Diagnostics.IsEmpty)
            {
                output.WriteLine($"{DiagnosticFormatter.OneLine(file)}: ok");
            }

            if (!compilation.HasErrors && compilation.SweepCount > 1)
            {
                output.WriteLine($"{DiagnosticFormatter.OneLine(file)}: sweep expands into {compilation.SweepCount} runs ({string.Join(" × ", compilation.SemanticModel.Sweeps.Select(a => $"{a.Path}: {a.Points.Length}"))})");
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

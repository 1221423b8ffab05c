using System.CommandLine;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline compile FILE [-o DIR] [--set PATH=VALUE]...</c>: a deterministic assembly, its pdb and the generated C#.</summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The experiment file (.pipe)." };
        var output = new Option<string>("--output", "-o") { Description = "Folder for NAME.dll, NAME.pdb and NAME.g.cs (default: the current folder).", DefaultValueFactory = _ => "." };
        var sets = new Option<string[]>("--set") { Description = "Override a value: STAGE.PROPERTY=VALUE in the language's syntax.", AllowMultipleArgumentsPerToken = false };
        var command = new Command("compile", "Compile an experiment into a deterministic assembly that embeds its canonical source and hashes.");
        command.Arguments.Add(file);
        command.Options.Add(output);
        command.Options.Add(sets);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, parsed.GetValue(output)!, parsed.GetValue(sets) ?? [], Console.Out));
        return command;
    }

    public static int Run(string file, string outputDirectory, IReadOnlyList<string> sets, TextWriter output)
    {
        OutputFolder.Require(outputDirectory, "-o");
        var compilation = CompilerHost.Load(file, sets);
        CompilerHost.Print(compilation.Diagnostics, compilation, output);
        var result = compilation.Emit(outputDirectory);
        CompilerHost.Print(result.Diagnostics.Except(compilation.Diagnostics), compilation, output);
        if (!result.Success)
        {
            return CommandHost.Failure;
        }

        output.WriteLine($"{DiagnosticFormatter.OneLine(result.AssemblyPath!)}{(result.FromCache ? " (from cache)" : string.Empty)}");
        output.WriteLine($"source sha256 {compilation.SourceSha256}");
        return CommandHost.Success;
    }
}

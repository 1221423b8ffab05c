using System.CommandLine;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline compile FILE [-o DIR] [--set PATH=VALUE]... [--point N]</c>: a deterministic assembly, its pdb and the
/// generated C#. One assembly holds one sweep point: <c>--point N</c> chooses it by number (as <c>run</c> numbers
/// them, <c>point-N</c>), and <c>--set</c> of each swept property by its values.
/// </summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The experiment file (.pipe)." };
        var output = new Option<string>("--output", "-o") { Description = "Folder for NAME.dll, NAME.pdb and NAME.g.cs (default: the current folder).", DefaultValueFactory = _ => "." };
        var sets = SetOption.Create();
        var point = new Option<long?>("--point") { Description = "For a sweep: compile point N, numbered from 0 as pipeline run numbers them (check lists the sweep)." };
        var command = new Command("compile", "Compile an experiment into a deterministic assembly that embeds its canonical source and hashes.");
        command.Arguments.Add(file);
        command.Options.Add(output);
        command.Options.Add(sets);
        command.Options.Add(point);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, parsed.GetValue(output)!, parsed.GetValue(sets) ?? [], parsed.GetValue(point), Console.Out));
        return command;
    }

    public static int Run(string file, string outputDirectory, IReadOnlyList<string> sets, long? point, TextWriter output)
    {
        OutputFolder.Require(outputDirectory, "-o");
        var compilation = CompilerHost.Load(file, sets);
        if (point is { } index && !compilation.HasErrors)
        {
            compilation = ChoosePoint(compilation, index, output);
        }

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

    /// <summary>The compilation of sweep point <paramref name="index"/>, and a line naming its values.</summary>
    private static Compiler.Compilation ChoosePoint(Compiler.Compilation compilation, long index, TextWriter output)
    {
        var count = compilation.SweepCount;
        if (count <= 1)
        {
            throw new UsageException($"--point {index} chooses a sweep point, but the experiment has no sweep; leave out --point.");
        }

        if (index < 0 || index >= count)
        {
            throw new UsageException($"--point {index} is not a point of the sweep; choose 0 to {count - 1}.");
        }

        var values = compilation.SweepPointValues(index);
        output.WriteLine($"point {index}: {string.Join(", ", values.Select(p => $"{p.Path} = {p.Value}"))}");
        return compilation.WithSweepPoint(index);
    }
}

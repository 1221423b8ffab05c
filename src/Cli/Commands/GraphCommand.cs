using System.CommandLine;
using Pipeline.Compiler.Lowering;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline graph FILE [--format mermaid|dot] [--set PATH=VALUE]...</c>: the stage DAG, after the overrides.</summary>
internal static class GraphCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The experiment file (.pipe)." };
        var format = new Option<string>("--format") { Description = "mermaid (default) or dot.", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong("mermaid", "dot");
        var sets = SetOption.Create();
        var command = new Command("graph", "Print the stage graph as Mermaid or Graphviz DOT.");
        command.Arguments.Add(file);
        command.Options.Add(format);
        command.Options.Add(sets);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, parsed.GetValue(format)!, parsed.GetValue(sets) ?? [], Console.Out, Console.Error));
        return command;
    }

    public static int Run(string file, string format, IReadOnlyList<string> sets, TextWriter output, TextWriter errors)
    {
        var compilation = CompilerHost.Load(file, sets);
        if (compilation.HasErrors)
        {
            CompilerHost.Print(compilation.Diagnostics, compilation, errors);
            return CommandHost.Failure;
        }

        output.Write(format == "dot" ? GraphWriter.Dot(compilation.SemanticModel) : GraphWriter.Mermaid(compilation.SemanticModel));
        return CommandHost.Success;
    }
}

using System.CommandLine;
using Pipeline.Compiler.Emit;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline inspect DLL</c>: the source hash, the stages with their kinds and hashes, and the canonical source, read without loading the assembly.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("dll") { Description = "A compiled experiment assembly." };
        var command = new Command("inspect", "Print what a compiled experiment embeds: source hash, versions, stage hashes and canonical source.");
        command.Arguments.Add(file);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, Console.Out));
        return command;
    }

    public static int Run(string path, TextWriter output)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"cannot read '{path}': no such file.");
        }

        ExperimentAssemblyInfo? info;
        try
        {
            info = ExperimentAssemblyInfo.Read(path);
        }
        catch (BadImageFormatException)
        {
            info = null;
        }

        if (info is null)
        {
            throw new UsageException($"'{path}' is not a compiled experiment; compile one with 'pipeline compile FILE'.");
        }

        output.WriteLine($"experiment        {info.Experiment}");
        output.WriteLine($"source sha256     {info.SourceSha256}");
        output.WriteLine($"compiler version  {info.CompilerVersion}");
        output.WriteLine($"runtime version   {info.RuntimeVersion}");
        output.WriteLine("stages");
        var width = info.Stages.Select(s => s.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var (name, kind, hash) in info.Stages)
        {
            output.WriteLine($"  {name.PadRight(width)}  {kind,-18} {hash}");
        }

        output.WriteLine("canonical source");
        output.Write(info.CanonicalSource);
        return CommandHost.Success;
    }
}

using System.CommandLine;

namespace Pipeline.Cli.Commands;

internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run an experiment.");
        return command;
    }
}

using System.CommandLine;
using Pipeline.Cli.Commands;

namespace Pipeline.Cli;

/// <summary>The <c>pipeline</c> command tree. Each command lives in its own file under Commands/ and is registered here with one line.</summary>
internal static class PipelineCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("pipeline: declarative human-feedback alignment experiments for video generators");
        root.Options.Add(GlobalOptions.Libtorch);
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(FmtCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        root.Subcommands.Add(RewardBenchCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(CompileCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(GraphCommand.Create());
        root.Subcommands.Add(KindsCommand.Create());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(ReplicatesCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(LspCommand.Create());
        return root;
    }
}

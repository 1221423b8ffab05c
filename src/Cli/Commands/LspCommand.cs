using System.CommandLine;
using Pipeline.LanguageServer;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline lsp</c>: the language server for editors, speaking the Language Server Protocol over standard input
/// and output until the editor sends <c>exit</c> (docs/editors.md). Exit code 0 after <c>shutdown</c>, else 1.
/// </summary>
internal static class LspCommand
{
    public static Command Create()
    {
        // Some clients (vscode-languageclient's stdio transport) pass --stdio; it is the only transport, so it is accepted and changes nothing.
        var stdio = new Option<bool>("--stdio") { Description = "Speak over standard input and output (the only transport; accepted because editors pass it)." };
        var command = new Command("lsp", "Run the language server (Language Server Protocol over standard input and output) for editors.");
        command.Options.Add(stdio);
        command.SetAction(_ =>
        {
            using var input = Console.OpenStandardInput();
            using var output = Console.OpenStandardOutput();
            return LanguageServerHost.RunAsync(input, output, Console.Error).GetAwaiter().GetResult();
        });
        return command;
    }
}

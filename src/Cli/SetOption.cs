using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>
/// <c>--set PATH=VALUE</c> (contracts.md), the same on every command that reads an experiment's values: run, submit,
/// compile, check, graph and diff. Each command makes its own instance; the compiler parses and checks the values.
/// </summary>
internal static class SetOption
{
    public static Option<string[]> Create(string description = "Override a value: STAGE.PROPERTY=VALUE in the language's syntax (a sweep too); repeat for more.") =>
        new("--set") { Description = description, AllowMultipleArgumentsPerToken = false };
}

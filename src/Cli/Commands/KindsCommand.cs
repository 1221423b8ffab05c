using System.CommandLine;
using Pipeline.Catalog;
using Pipeline.Compiler.Documentation;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline kinds [KIND] [--markdown]</c>: the catalogue's stage kinds (role, what each produces, what it is) and
/// the experiment's properties; with KIND, that kind's properties (types, ranges, defaults, documentation) and the
/// members of what it produces; with <c>--markdown</c>, all of it as docs/kinds.md. An unknown KIND is a usage error.
/// </summary>
internal static class KindsCommand
{
    public static Command Create()
    {
        var kind = new Argument<string?>("kind") { Arity = ArgumentArity.ZeroOrOne, Description = "A stage kind, e.g. flow_dpo: list its properties." };
        var markdown = new Option<bool>("--markdown") { Description = "Print the whole catalogue as Markdown (docs/kinds.md)." };
        var command = new Command("kinds", "List the stage kinds, or one kind's properties with their types, ranges, defaults and documentation.");
        command.Arguments.Add(kind);
        command.Options.Add(markdown);
        command.SetAction(parsed => Run(parsed.GetValue(kind), parsed.GetValue(markdown), Console.Out));
        return command;
    }

    public static int Run(string? kind, bool markdown, TextWriter output)
    {
        if (markdown && kind is not null)
        {
            throw new UsageException("--markdown prints every kind; leave out the kind.");
        }

        if (kind is null)
        {
            output.Write(markdown ? CatalogueMarkdown.Document() : CatalogueText.Summary());
            return CommandHost.Success;
        }

        var found = StageCatalog.FindKind(kind)
            ?? throw new UsageException($"'{kind}' is not a stage kind; use one of the catalogue's kinds{Suggestions.DidYouMeanOrList(kind, StageCatalog.Kinds.Select(k => k.Name))}.");
        output.Write(CatalogueText.Describe(found));
        return CommandHost.Success;
    }
}

using System.Collections.Immutable;
using System.CommandLine;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline diff OLD NEW [--json]</c>: the semantic difference of two effective experiments (after composition).
/// Exit 0 when they mean the same, 1 when they differ, 2 on errors (like diff(1)).
/// <c>pipeline diff --git PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE</c> is the external diff driver
/// mode: it always exits 0, because git before 2.46 treats any other exit code as a crash, and it resolves
/// <c>extends</c> against the working tree (the base files of a past revision are not at hand), which it says.
/// </summary>
internal static class DiffCommand
{
    public const string WorkingTreeNote = "note: extends resolved against the working tree";

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Arity = new ArgumentArity(0, 9), Description = "OLD NEW, or with --git the seven arguments git passes to an external diff driver." };
        var json = new Option<bool>("--json") { Description = "Print the changes as JSON for tools." };
        var git = new Option<bool>("--git") { Description = "Act as git's external diff driver (diff.pipeline.command); always exits 0." };
        var command = new Command("diff", "Show the semantic difference between two experiments.");
        command.Arguments.Add(files);
        command.Options.Add(json);
        command.Options.Add(git);
        command.SetAction(parsed =>
        {
            var arguments = parsed.GetValue(files) ?? [];
            return parsed.GetValue(git)
                ? RunGitDriver(arguments, Console.Out)
                : Run(arguments, parsed.GetValue(json), Console.Out, Console.Error);
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> files, bool json, TextWriter output, TextWriter errors)
    {
        if (files.Count != 2)
        {
            throw new UsageException("diff takes two files: pipeline diff OLD NEW [--json].");
        }

        CheckCommand.RequireReadable(files);
        var before = Composition.Resolve(files[0], Composition.ReadFileOrNull);
        var after = Composition.Resolve(files[1], Composition.ReadFileOrNull);
        if (before.HasErrors || after.HasErrors)
        {
            PrintDiagnostics(before, errors);
            PrintDiagnostics(after, errors);
            return CommandHost.UsageError;
        }

        var changes = SemanticDiff.Compare(before.Experiment, after.Experiment);
        output.Write(json ? SemanticDiff.FormatJson(changes) : SemanticDiff.FormatText(changes));
        if (!json && !changes.IsEmpty)
        {
            WriteResolved(before, after, output);
        }

        return changes.IsEmpty ? CommandHost.Success : CommandHost.Failure;
    }

    /// <summary>
    /// The compiler's view, when both sides bind cleanly: values with every default resolved, and the stages whose
    /// hash changes, whose cached results the change therefore invalidates.
    /// </summary>
    private static void WriteResolved(ResolvedExperiment before, ResolvedExperiment after, TextWriter output)
    {
        var options = CompilerHost.Options();
        var oldModel = Compiler.Compilation.Create(before, options);
        var newModel = Compiler.Compilation.Create(after, options);
        if (oldModel.HasErrors || newModel.HasErrors)
        {
            // The syntax-level diff above stands on its own; the compiler's view needs files that pass check.
            return;
        }

        output.WriteLine("resolved (defaults filled in):");
        foreach (var change in Compiler.Lowering.ExperimentDiff.Values(oldModel.SemanticModel, newModel.SemanticModel))
        {
            output.WriteLine("  " + change);
        }

        var invalidated = Compiler.Lowering.ExperimentDiff.Invalidated(oldModel.SemanticModel, newModel.SemanticModel);
        output.WriteLine(invalidated.IsEmpty ? "invalidated stages: none" : "invalidated stages:");
        foreach (var stage in invalidated)
        {
            output.WriteLine($"  {stage.Stage}: {Short(stage.OldHash)} → {Short(stage.NewHash)}");
        }
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash[..Math.Min(12, hash.Length)];

    public static int RunGitDriver(IReadOnlyList<string> arguments, TextWriter output)
    {
        try
        {
            if (arguments.Count is not (7 or 9))
            {
                output.WriteLine($"pipeline diff --git expects the 7 arguments git passes to a diff driver, got {arguments.Count}.");
                return CommandHost.Success;
            }

            var path = arguments[0];
            var before = ResolveSide(path, arguments[1]);
            var after = ResolveSide(arguments.Count == 9 ? arguments[7] : path, arguments[4]);
            output.WriteLine($"pipeline diff a/{path} b/{(arguments.Count == 9 ? arguments[7] : path)}");
            if (UsesExtends(before) || UsesExtends(after))
            {
                output.WriteLine(WorkingTreeNote + ", not at the compared revisions.");
            }

            if (before?.HasErrors == true || after?.HasErrors == true)
            {
                output.WriteLine("cannot compare semantically, because of these errors:");
                PrintDiagnostics(before, output);
                PrintDiagnostics(after, output);
                return CommandHost.Success;
            }

            var oldExperiment = before?.Experiment ?? Empty(after!.Experiment.Name.Name);
            var newExperiment = after?.Experiment ?? Empty(before!.Experiment.Name.Name);
            output.Write(SemanticDiff.FormatText(SemanticDiff.Compare(oldExperiment, newExperiment)));
        }
#pragma warning disable CA1031 // git treats any exit code but 0 as a crash: even a bug must be reported as text here.
        catch (Exception error)
#pragma warning restore CA1031
        {
            output.WriteLine($"pipeline diff --git failed: {error.Message}");
        }

        return CommandHost.Success;
    }

    /// <summary>One side of a git diff: null for /dev/null (the file was added or deleted).</summary>
    private static ResolvedExperiment? ResolveSide(string path, string file)
    {
        if (file == "/dev/null")
        {
            return null;
        }

        var text = Composition.ReadFileOrNull(file) ?? string.Empty;
        return Composition.Resolve(SyntaxTree.Parse(new SourceText(path, text)), Composition.ReadFileOrNull);
    }

    private static bool UsesExtends(ResolvedExperiment? resolved) => resolved?.Files[0].Root.Experiment.Extends is not null;

    private static ExperimentSyntax Empty(string name) =>
        new(new TextSpan(0, 0), new IdentifierSyntax(new TextSpan(0, 0), name), null, ImmutableArray<MemberSyntax>.Empty);

    private static void PrintDiagnostics(ResolvedExperiment? resolved, TextWriter output)
    {
        var printer = new DiagnosticPrinter(output);
        foreach (var diagnostic in resolved?.Diagnostics ?? [])
        {
            printer.Print(diagnostic, resolved!.SourceOf(diagnostic.Path));
        }

        printer.Finish();
    }
}

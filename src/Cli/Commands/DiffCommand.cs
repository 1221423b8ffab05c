using System.Collections.Immutable;
using System.CommandLine;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline diff OLD NEW [--json] [--set PATH=VALUE]...</c>: the semantic difference of two effective experiments
/// (after composition). The overrides apply to NEW, so <c>pipeline diff f.pipe f.pipe --set dpo.beta=2000</c> shows what
/// an override changes, down to the stages whose cache it invalidates. Exit 0 when they mean the same, 1 when they
/// differ, 2 on errors (like diff(1)).
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
        var sets = SetOption.Create("Override a value of NEW: STAGE.PROPERTY=VALUE in the language's syntax; diff FILE FILE --set ... shows what the override changes.");
        var command = new Command("diff", "Show the semantic difference between two experiments.");
        command.Arguments.Add(files);
        command.Options.Add(json);
        command.Options.Add(git);
        command.Options.Add(sets);
        command.SetAction(parsed =>
        {
            var arguments = parsed.GetValue(files) ?? [];
            var overrides = parsed.GetValue(sets) ?? [];
            if (parsed.GetValue(git) && overrides.Length > 0)
            {
                throw new UsageException("--set does not go with --git: git compares two revisions of a file as they are.");
            }

            return parsed.GetValue(git)
                ? RunGitDriver(arguments, Console.Out)
                : Run(arguments, parsed.GetValue(json), overrides, Console.Out, Console.Error);
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> files, bool json, IReadOnlyList<string> sets, TextWriter output, TextWriter errors)
    {
        if (files.Count != 2)
        {
            throw new UsageException("diff takes two files: pipeline diff OLD NEW [--json] [--set PATH=VALUE].");
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

        var oldCompilation = Compiler.Compilation.Create(before, CompilerHost.Options());
        var newCompilation = Compiler.Compilation.Create(after, CompilerHost.Options(sets));
        if (CompilerHost.Print(newCompilation.OverrideDiagnostics, newCompilation, errors) > 0)
        {
            return CommandHost.UsageError;
        }

        var changes = SemanticDiff.Compare(before.Experiment, newCompilation.ResolvedExperiment);
        output.Write(json ? SemanticDiff.FormatJson(changes) : SemanticDiff.FormatText(changes));
        if (!json && !changes.IsEmpty)
        {
            WriteResolved(oldCompilation, newCompilation, output);
        }

        return changes.IsEmpty ? CommandHost.Success : CommandHost.Failure;
    }

    /// <summary>
    /// The compiler's view, when both sides bind cleanly: values with every default resolved, and the stages whose
    /// hash changes, whose cached results the change therefore invalidates.
    /// </summary>
    private static void WriteResolved(Compiler.Compilation oldModel, Compiler.Compilation newModel, TextWriter output)
    {
        if (oldModel.HasErrors || newModel.HasErrors)
        {
            // The syntax-level diff above stands on its own; the compiler's view needs files that pass check.
            return;
        }

        output.Write(Compiler.Lowering.ExperimentDiff.FormatResolved(oldModel.SemanticModel, newModel.SemanticModel));
    }

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

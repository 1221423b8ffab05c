using System.CommandLine;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Cli;

/// <summary>
/// Runs the command line and is the single boundary where errors become exit codes: a user's error prints one line
/// (code and message, no stack trace) and exits 1; a usage error exits 2; only a bug shows a trace.
/// </summary>
internal static class CommandHost
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>A runtime diagnostic as one line: <c>[location: ]error|warning PIPEnnnn: message[ (stage 'name')]</c>.</summary>
    public static string Format(PipelineException diagnostic, string level)
    {
        var where = diagnostic.Location is null ? string.Empty : diagnostic.Location + ": ";
        var stage = diagnostic.Stage is null ? string.Empty : $" (stage '{diagnostic.Stage}')";
        return $"{where}{level} {diagnostic.Code}: {diagnostic.Message}{stage}";
    }

    public static int Invoke(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run 'pipeline --help' for usage.");
            return UsageError;
        }

        var libtorch = parsed.GetValue(GlobalOptions.Libtorch);
        if (!string.IsNullOrWhiteSpace(libtorch))
        {
            TorchBackend.LibtorchDirectory = libtorch;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (PipelineException error)
        {
            Console.Error.WriteLine(Format(error, "error"));
            return Failure;
        }
        catch (IOException error) when (error.HResult == DurableFile.NoSpaceLeft)
        {
            // Writers outside the checkpoints (the stage cache, reports) write into temporary files and remove them
            // when they fail, so a full disk leaves no half-written file; .NET's message names the path.
            Console.Error.WriteLine($"error {RuntimeDiagnosticCodes.WriteFailed}: {error.Message.Trim()} (the disk is full); free space there and run again.");
            return Failure;
        }
        catch (UsageException error)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return UsageError;
        }
    }
}

/// <summary>A command was called wrongly (missing file, bad flag combination): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

using System.CommandLine;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Cli;

/// <summary>
/// Runs the command line and is the single boundary where errors become exit codes and one-line, coded messages: a
/// user's error exits 1, a usage error (PIPE4501) exits 2, and a bug — an exception no check anticipated — prints one
/// line with PIPE4502 and exits 70 (<c>PIPELINE_TRACE=1</c> adds the stack trace). Every message goes through
/// <see cref="DiagnosticFormatter.OneLine"/>, so a value with a line break in it cannot split a message over lines.
/// </summary>
internal static class CommandHost
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>sysexits.h's EX_SOFTWARE: an internal error, a bug to report.</summary>
    public const int InternalError = 70;

    /// <summary>Set to 1 to print the stack trace of an internal error.</summary>
    public const string TraceVariable = "PIPELINE_TRACE";

    /// <summary>A runtime diagnostic as one line: <c>[location: ]error|warning PIPEnnnn: message[ (stage 'name')]</c>.</summary>
    public static string Format(PipelineException diagnostic, string level)
    {
        var where = diagnostic.Location is null ? string.Empty : DiagnosticFormatter.OneLine(diagnostic.Location) + ": ";
        var stage = diagnostic.Stage is null ? string.Empty : $" (stage '{diagnostic.Stage}')";
        return $"{where}{level} {diagnostic.Code}: {DiagnosticFormatter.OneLine(diagnostic.Message + stage)}";
    }

    public static int Invoke(RootCommand root, string[] args)
    {
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                {
                    WriteError(RuntimeDiagnosticCodes.CommandLineInvalid, $"{error.Message.TrimEnd('.')} (pipeline --help lists the commands and their options).");
                }

                return UsageError;
            }

            var libtorch = parsed.GetValue(GlobalOptions.Libtorch);
            if (!string.IsNullOrWhiteSpace(libtorch))
            {
                TorchBackend.LibtorchDirectory = libtorch;
            }

            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (PipelineException error)
        {
            Console.Error.WriteLine(Format(error, "error"));
            return Failure;
        }
        catch (UsageException error)
        {
            WriteError(RuntimeDiagnosticCodes.CommandLineInvalid, error.Message);
            return UsageError;
        }
        catch (IOException error) when (error.HResult == DurableFile.NoSpaceLeft)
        {
            // Writers outside the checkpoints (the stage cache, reports) write into temporary files and remove them
            // when they fail, so a full disk leaves no half-written file; .NET's message names the path.
            WriteError(RuntimeDiagnosticCodes.WriteFailed, $"{error.Message.Trim()} (the disk is full); free space there and run again.");
            return Failure;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The file system refused something (a permission, a name too long, a file where a folder should be): the
            // environment's doing, not a bug; .NET's message names the path.
            WriteError(RuntimeDiagnosticCodes.FileSystemError, $"{error.Message.Trim()}; check the path and its permissions, and run again.");
            return Failure;
        }
        catch (Exception error)
        {
            WriteError(RuntimeDiagnosticCodes.InternalError, $"internal error ({error.GetType().Name}: {error.Message.Trim()}); this is a bug in pipeline, please report it with the command line ({TraceVariable}=1 prints the stack trace).");
            if (Environment.GetEnvironmentVariable(TraceVariable) == "1")
            {
                Console.Error.WriteLine(error);
            }

            return InternalError;
        }
    }

    private static void WriteError(string code, string message) => Console.Error.WriteLine($"error {code}: {DiagnosticFormatter.OneLine(message)}");
}

/// <summary>A command was called wrongly (missing file, bad flag combination): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

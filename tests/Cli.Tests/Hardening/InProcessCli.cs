using System.Text.RegularExpressions;
using Pipeline.Runtime.Torch.Backend;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// The tests that drive the <c>pipeline</c> command in this process (<see cref="InProcessCli"/>). They swap the
/// console, the working folder and <c>PIPELINE_CACHE</c>, which belong to the whole process, so they run alone,
/// after the tests that run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessCliCollection
{
    public const string Name = "pipeline in process";
}

/// <summary>
/// Runs <c>pipeline ARGS</c> through the same <see cref="CommandHost"/> and command tree as the real CLI, in this
/// process: about a millisecond per command where a new process costs half a second, so thousands of hostile
/// command lines fit in the suite. Output, working folder, cache and the libtorch folder are restored afterwards.
/// </summary>
internal static partial class InProcessCli
{
    private static readonly object Gate = new();

    public static ProcessRunner.Result Run(string cache, string workingDirectory, params string[] arguments)
    {
        lock (Gate)
        {
            var (output, error) = (Console.Out, Console.Error);
            var directory = Environment.CurrentDirectory;
            var previousCache = Environment.GetEnvironmentVariable("PIPELINE_CACHE");
            var libtorch = TorchBackend.LibtorchDirectory;
            using var capturedOutput = new StringWriter();
            using var capturedError = new StringWriter();
            int code;
            try
            {
                Console.SetOut(capturedOutput);
                Console.SetError(capturedError);
                Environment.CurrentDirectory = workingDirectory;
                Environment.SetEnvironmentVariable("PIPELINE_CACHE", cache);
                code = CommandHost.Invoke(PipelineCommand.Create(), arguments);
            }
            catch (Exception escaped)
            {
                // What the real process would die of (exit 134); reported like any other result, so that one test lists them all.
                capturedError.WriteLine($"Unhandled exception. {escaped}");
                code = 134;
            }
            finally
            {
                Console.SetOut(output);
                Console.SetError(error);
                Environment.CurrentDirectory = directory;
                Environment.SetEnvironmentVariable("PIPELINE_CACHE", previousCache);
                TorchBackend.LibtorchDirectory = libtorch;
            }

            return new ProcessRunner.Result(code, capturedOutput.ToString(), capturedError.ToString());
        }
    }

    /// <summary>
    /// What every command line must give, whatever its arguments: exit 0, 1 or 2; no stack trace, exception name or
    /// internal error (PIPE4502); every line on stderr one coded diagnostic (<c>[path: ]error|warning PIPEnnnn: …</c>)
    /// of bounded length; and a failure is never silent. Returns what is wrong, or null.
    /// </summary>
    public static string? Problem(ProcessRunner.Result result)
    {
        if (result.ExitCode is not (0 or 1 or 2))
        {
            return $"exit {result.ExitCode}";
        }

        if (HostileInputTests.StackTraceLine().IsMatch(result.All) || HostileInputTests.ExceptionName().IsMatch(result.All) || result.All.Contains("PIPE4502", StringComparison.Ordinal))
        {
            return "a stack trace, an exception's name or an internal error";
        }

        foreach (var line in result.StandardError.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
        {
            if (!CodedLine().IsMatch(line))
            {
                return $"stderr line is not a coded diagnostic: {Shorten(line)}";
            }

            if (line.Length > 2500)
            {
                return $"a stderr line of {line.Length} characters";
            }
        }

        if (result.ExitCode != 0 && result.All.Trim().Length == 0)
        {
            // Exit 1 is also an answer (diff: the files differ; fmt --check: these are not canonical), but never a silent one.
            return "a failure without a message";
        }

        return result.All.Length > 1_000_000 ? $"{result.All.Length} characters of output" : null;
    }

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..200] + $"…({text.Length} characters)";

    [GeneratedRegex(@"^(\S.*?: )?(error|warning|info) PIPE\d{4}: \S.*$", RegexOptions.Multiline)]
    private static partial Regex CodedLine();
}

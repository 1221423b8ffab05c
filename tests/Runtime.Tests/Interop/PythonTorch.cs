using Pipeline.Runtime.Tests.Data;
using Pipeline.Tests.Shared;

namespace Pipeline.Runtime.Tests.Interop;

/// <summary>
/// A Python with PyTorch, found as bench/gpu/run.sh finds it: $PYTHON, else python3, else /usr/bin/python3 (a pyenv
/// shim can hide Debian's python3-torch, which scripts/setup.sh installs and ./test.sh runs first).
/// </summary>
internal static class PythonTorch
{
    private static readonly Lazy<string?> Interpreter = new(() =>
        new[] { Environment.GetEnvironmentVariable("PYTHON"), "python3", "/usr/bin/python3" }
            .Where(c => !string.IsNullOrEmpty(c))
            .FirstOrDefault(c => Works(c!)));

    /// <summary>Runs a script under tests/Runtime.Tests/Interop and returns its standard output; fails the test on an error.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var python = Interpreter.Value;
        Assert.True(python is not null, "no Python with torch ($PYTHON, python3, /usr/bin/python3); scripts/setup.sh installs Debian's python3-torch");
        var path = Path.Combine(TestFiles.RepositoryRoot, "tests", "Runtime.Tests", "Interop", script);
        var result = ProcessRunner.Run(python!, new[] { path }.Concat(arguments), TestFiles.RepositoryRoot, new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = "1" });
        Assert.True(result.ExitCode == 0, $"{script} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.All}");
        return result.StandardOutput;
    }

    private static bool Works(string python)
    {
        try
        {
            return ProcessRunner.Run(python, ["-c", "import torch"], timeoutSeconds: 120).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

using System.Runtime.InteropServices;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// The C library's own environment (<c>setenv</c>/<c>getenv</c>), which native libraries (libgomp, cuBLAS) read. On
/// Linux .NET keeps a copy of the environment: <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes
/// only that copy, so a library that reads <c>getenv</c> would never see a value set that way. Set values before the
/// library reads them (before libtorch loads, for these).
/// </summary>
public static class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> for native code (and .NET's copy, so both agree); false where there is no libc.</summary>
    public static bool Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        return setenv(name, value, 1) == 0;
    }

    /// <summary>Sets <paramref name="name"/> unless it is set already (the user's choice wins); returns the value in effect.</summary>
    public static string SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } existing)
        {
            return existing;
        }

        Set(name, value);
        return value;
    }

    /// <summary>What native code reads for <paramref name="name"/>; null when unset (or where there is no libc).</summary>
    public static string? Get(string name) =>
        OperatingSystem.IsWindows() ? null : Marshal.PtrToStringUTF8(getenv(name));

    // DllImport, not LibraryImport, which would need unsafe code in this assembly; on Unix an ANSI string is UTF-8.
    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr getenv(string name);
}

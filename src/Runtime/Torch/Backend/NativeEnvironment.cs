using System.Runtime.InteropServices;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// Environment variables that native libraries (libtorch, cuBLAS, OpenMP) read with <c>getenv</c>. On Linux
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's own copy, which native code
/// never sees, so these go through libc's <c>setenv</c>, and must be set before the library reads them (before
/// libtorch loads, for most).
/// </summary>
public static class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> for native code and for .NET, unless it is set already (the user's choice wins); returns the value in effect.</summary>
    public static string SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } existing)
        {
            return existing;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (setenv(name, value, overwrite: 0) != 0)
            {
                throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
            }
        }

        Environment.SetEnvironmentVariable(name, value);
        return value;
    }

    /// <summary>What native code reads for <paramref name="name"/> (libc's <c>getenv</c>), or null.</summary>
    public static string? Get(string name) =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? Marshal.PtrToStringUTF8(getenv(name)) : Environment.GetEnvironmentVariable(name);

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; these two calls marshal only strings.
    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore SYSLIB1054
}

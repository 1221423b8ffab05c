using System.Runtime.InteropServices;

namespace Pipeline.Runtime.Core;

/// <summary>
/// Writes a file so that it is whole or absent: into a temporary file beside it, flushed to disk, then renamed over
/// it. When the write fails (a full disk, a read-only folder) the temporary file is removed, the old file is left as
/// it was, and the failure becomes one <see cref="RuntimeDiagnosticCodes.WriteFailed"/> error that names the path.
/// Every file the runtime replaces goes through here: results, reports, plots and GIFs, checkpoints, the stage
/// cache's artifacts and manifests, the patched native library, the models a run exports.
/// </summary>
public static class DurableFile
{
    /// <summary>errno ENOSPC, which .NET on Linux puts in an <see cref="IOException"/>'s HResult.</summary>
    public const int NoSpaceLeft = 28;

    public static void Write(string path, Action<Stream> write, string? what = null)
    {
        var full = Path.GetFullPath(path);
        Replace(full, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            if (FaultInjection.DiskFull(full))
            {
                using var buffer = new MemoryStream();
                write(buffer);
                stream.Write(buffer.GetBuffer(), 0, (int)(buffer.Length / 2));
                throw new IOException($"No space left on device : '{temporary}'", NoSpaceLeft);
            }

            write(stream);
        }, what);
    }

    public static void WriteAllBytes(string path, byte[] bytes, string? what = null) => Write(path, s => s.Write(bytes), what);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text, string? what = null) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text), what);

    /// <summary>
    /// Makes <paramref name="path"/> the file at <paramref name="source"/>: a hard link to it where the file system allows
    /// one (no byte is copied, and both names are then one file, so neither may be written in place), else a copy.
    /// Like every replacement it goes through a temporary name and a rename. Returns whether it linked.
    /// </summary>
    public static bool LinkOrCopy(string source, string path, string? what = null)
    {
        // link(2) fails across file systems (EXDEV) and where links are not supported; a copy then does. A link's
        // bytes are the source's, on disk already: it is not opened to be flushed, which would take a lock the
        // source's readers (another run hashing a cache entry) may hold.
        var full = Path.GetFullPath(path);
        var temporary = TemporaryName(full, what);
        if (!OperatingSystem.IsWindows() && link(source, temporary) == 0)
        {
            Rename(temporary, full, what);
            return true;
        }

        Replace(full, copy => File.Copy(source, copy), what);
        return false;
    }

    /// <summary>
    /// Writes through a temporary file that <paramref name="writeTemporary"/> creates at the path it is given (another
    /// program may write it: ffmpeg writes the GIFs), then flushes it to disk and renames it over <paramref name="path"/>.
    /// The temporary file is removed whatever goes wrong, and so are the folders this call created for it (a report
    /// without GIFs has no empty samples/ folder); a failed write is a <see cref="RuntimeDiagnosticCodes.WriteFailed"/> error.
    /// </summary>
    public static void Replace(string path, Action<string> writeTemporary, string? what = null)
    {
        var full = Path.GetFullPath(path);
        var createdFolders = MissingFolders(Path.GetDirectoryName(full)!);
        var temporary = TemporaryName(full, what);
        try
        {
            writeTemporary(temporary);
            using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                written.Flush(flushToDisk: true);
            }
        }
        catch (Exception error)
        {
            TryDelete(temporary);
            TryDeleteEmptyFolders(createdFolders);
            if (error is IOException or UnauthorizedAccessException)
            {
                throw Failure(full, error, what);
            }

            throw;
        }

        Rename(temporary, full, what);
    }

    /// <summary>A new name beside <paramref name="full"/>, in its folder (created when missing).</summary>
    private static string TemporaryName(string full, string? what)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Failure(full, error, what);
        }

        return full + "." + Guid.NewGuid().ToString("N") + ".tmp";
    }

    /// <summary>Renames the temporary file over <paramref name="full"/>; the temporary file goes whatever happens.</summary>
    private static void Rename(string temporary, string full, string? what)
    {
        try
        {
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Failure(full, error, what);
        }
        finally
        {
            // Also after a rename onto another name of the same file (a link made again), which leaves both in place.
            TryDelete(temporary);
        }
    }

    /// <summary>The one-line error for a write that failed: the path, and what to do.</summary>
    public static PipelineException Failure(string path, Exception error, string? what = null)
    {
        var reason = error.HResult == NoSpaceLeft || error.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            ? "the disk is full"
            : error.Message;
        return RuntimeErrors.WriteFailed(path, reason, what, error);
    }

    /// <summary>The folders from <paramref name="folder"/> up that do not exist yet, deepest first.</summary>
    private static List<string> MissingFolders(string folder)
    {
        var missing = new List<string>();
        for (var current = folder; !string.IsNullOrEmpty(current) && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Add(current);
        }

        return missing;
    }

    /// <summary>Removes the folders a failed write created, deepest first, as long as nothing else was put in them meanwhile.</summary>
    private static void TryDeleteEmptyFolders(List<string> folders)
    {
        foreach (var folder in folders)
        {
            try
            {
                if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }

                Directory.Delete(folder);
            }
            catch (IOException)
            {
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Nothing more to do on a disk that refuses writes; `pipeline cache gc` removes leftovers.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // DllImport, not LibraryImport, which would need unsafe code in this assembly; on Unix an ANSI string is UTF-8.
    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int link(string existing, string created);
}

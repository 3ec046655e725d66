using System.Runtime.InteropServices;

namespace Dwf.Robustness.Infrastructure;

/// <summary>
/// Flushes a folder's entries to disk (POSIX <c>fsync</c> on the directory), so that a rename survives a power loss,
/// not just a process crash. .NET cannot open a directory as a file, hence the two libc calls. Best effort: on
/// Windows (where a rename is made durable by the file system) and wherever the calls fail, it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux x64 and arm64

    public static void Flush(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            int fd = Open(folder, ReadOnly | Directory);
            if (fd >= 0)
            {
                _ = Fsync(fd);
                _ = Close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc.so.6 (e.g. musl): the rename is still atomic, only its durability is not forced.
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}

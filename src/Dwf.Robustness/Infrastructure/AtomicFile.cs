namespace Dwf.Robustness.Infrastructure;

/// <summary>
/// Writes files atomically: the content goes to a temporary file in the same folder, is flushed to disk, then
/// renamed over the destination, and the folder is flushed too. A crash at any point leaves either the old file or
/// the new one, never a mix. The temporary file's name carries the writer's process id; a process killed mid-write
/// leaves its temporary file behind, and the next write of the same destination removes every such file whose
/// process no longer runs (never one of a live process, so concurrent writers in other processes are safe).
/// Public on purpose: an application that writes its own files beside the library's (run summaries, tables, cost
/// records) should get the same crash safety, as the CIFAR-10 sample does.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <param name="path">Destination; its folder is created if missing.</param>
    /// <param name="write">Writes the whole content to the given stream.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        RemoveOrphans(folder, Path.GetFileName(full));
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            DirectorySync.Flush(folder);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Deletes temporary files of <paramref name="name"/> left by writers that were killed.</summary>
    private static void RemoveOrphans(string folder, string name)
    {
        string prefix = $".{name}.";
        foreach (string file in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            string[] parts = Path.GetFileName(file)[prefix.Length..].Split('.');
            if (parts.Length == 3 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId && !IsRunning(pid))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Another writer removed it first.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid}");
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Writes text atomically (UTF-8).</summary>
    /// <param name="path">Destination.</param>
    /// <param name="text">Content.</param>
    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
}

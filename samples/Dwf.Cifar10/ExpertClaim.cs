namespace Dwf.Cifar10;

/// <summary>
/// One process's claim on one expert of a shared run folder, so several <c>pretrain</c> jobs (a Slurm array, a
/// Kubernetes indexed Job, two shells) can work on one folder: the claim is an exclusive lock on
/// <c>experts/.NAME.lock</c> held while the expert trains. The operating system releases it when the process exits,
/// however it exits, so a killed job never leaves a stale claim. The lock file itself stays (deleting it would let two
/// processes lock two different files of the same name).
/// </summary>
public sealed class ExpertClaim : IDisposable
{
    private readonly FileStream _lock;

    private ExpertClaim(FileStream lockFile) => _lock = lockFile;

    /// <summary>Claims the expert whose lock file is <paramref name="lockPath"/>, or returns null when another process holds it.</summary>
    public static ExpertClaim? TryTake(string lockPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        try
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write(FormattableString.Invariant($"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:O}\n"));
            }

            stream.Flush();
            return new ExpertClaim(stream);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Releases the claim.</summary>
    public void Dispose() => _lock.Dispose();
}

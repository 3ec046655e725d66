using System.Security.Cryptography;

namespace Dwf.Robustness.Data;

/// <summary>
/// Fetches the official CIFAR-10 binary archive, only when asked. The file is downloaded next to its
/// destination, its MD5 checked, then moved into place atomically: an interrupted download never leaves a
/// half-written archive at the destination.
/// </summary>
public static class Cifar10Downloader
{
    /// <summary>
    /// Returns <paramref name="archivePath"/> if the file exists; otherwise downloads it from
    /// <paramref name="url"/>, verifies <paramref name="expectedMd5"/> and moves it into place.
    /// </summary>
    /// <param name="archivePath">Where the archive should be.</param>
    /// <param name="client">HTTP client to use; a new one when null.</param>
    /// <param name="progress">Receives bytes downloaded so far.</param>
    /// <param name="url">Source; defaults to the official archive.</param>
    /// <param name="expectedMd5">Hex MD5; defaults to the official archive's.</param>
    /// <param name="cancellationToken">Cancels the download (the partial file is deleted).</param>
    /// <returns>The archive path.</returns>
    /// <exception cref="IOException">The download failed (for example no network); the message says where to put the file by hand.</exception>
    /// <exception cref="InvalidDataException">The downloaded file's MD5 does not match.</exception>
    public static async Task<string> EnsureArchiveAsync(
        string archivePath,
        HttpClient? client = null,
        IProgress<long>? progress = null,
        string url = Cifar10Format.ArchiveUrl,
        string expectedMd5 = Cifar10Format.ArchiveMd5,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        if (File.Exists(archivePath))
        {
            return archivePath;
        }

        string fullPath = Path.GetFullPath(archivePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temp = fullPath + ".download";
        bool ownsClient = client is null;
        client ??= new HttpClient();
        try
        {
            string md5;
            try
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                md5 = await CopyWithMd5Async(source, temp, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new IOException(
                    $"Could not download CIFAR-10 from {url} ({e.Message}). If this machine is offline, download " +
                    $"'{Cifar10Format.ArchiveFileName}' elsewhere (md5 {Cifar10Format.ArchiveMd5}) and put it at '{fullPath}'.", e);
            }

            if (!string.Equals(md5, expectedMd5, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException(
                    $"The file downloaded from {url} has md5 {md5}, expected {expectedMd5}; it was discarded. Try again, or fetch it by hand to '{fullPath}'.");
            }

            File.Move(temp, fullPath, overwrite: false);
            return fullPath;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }

            if (ownsClient)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<string> CopyWithMd5Async(Stream source, string destination, IProgress<long>? progress, CancellationToken ct)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await using var target = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            total += read;
            progress?.Report(total);
        }

        await target.FlushAsync(ct).ConfigureAwait(false);
        return Convert.ToHexString(md5.GetHashAndReset()).ToLowerInvariant();
    }
}

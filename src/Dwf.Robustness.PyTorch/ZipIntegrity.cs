using System.IO.Compression;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.PyTorch;

/// <summary>
/// Checks every entry of a <c>torch.save</c> zip against the CRC-32 its directory records, which neither PyTorch's
/// loader through TorchSharp.PyBridge nor .NET's <see cref="ZipArchive"/> verifies: without it, a flipped byte inside
/// a stored tensor loads as another model. Reads the file once more, in 64 KiB pieces; refuses an entry that would
/// decompress to more than any deflate stream of its compressed size can (a decompression bomb) before reading it.
/// </summary>
internal static class ZipIntegrity
{
    /// <summary>Deflate cannot expand data more than about 1032-fold; a larger claimed size is a lie.</summary>
    private const long MaxExpansion = 1040;

    public static void Verify(string path)
    {
        using var file = File.OpenRead(path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable zip archive ({e.Message}); PyTorch ≥ 1.6 saves state dicts as zip files. Nothing was loaded.", e);
        }

        using (zip)
        {
            var buffer = new byte[64 * 1024];
            foreach (var entry in zip.Entries)
            {
                if (entry.Length > Math.Max(entry.CompressedLength, 1) * MaxExpansion)
                {
                    throw new InvalidDataException(
                        $"'{path}': zip entry '{entry.FullName}' claims {entry.Length} bytes from {entry.CompressedLength} compressed ones, more than deflate can produce. Nothing was loaded.");
                }

                var crc = new Crc32();
                try
                {
                    using var data = entry.Open();
                    int read;
                    while ((read = data.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        crc.Append(buffer.AsSpan(0, read));
                        if (crc.Length > entry.Length)
                        {
                            break;
                        }
                    }
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"'{path}': zip entry '{entry.FullName}' cannot be read ({e.Message}); the file is damaged. Nothing was loaded.", e);
                }

                if (crc.Length != entry.Length || crc.Value != entry.Crc32)
                {
                    throw new InvalidDataException(
                        $"'{path}': zip entry '{entry.FullName}' does not match its checksum (read {crc.Length} bytes with CRC-32 {crc.Value:x8}; the zip directory records {entry.Length} bytes and {entry.Crc32:x8}): " +
                        "the file is damaged or was changed. Nothing was loaded.");
                }
            }
        }
    }
}

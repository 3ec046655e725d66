using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Dwf.Robustness.Data;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>
/// Generates corrupted variants of a small CIFAR-10 archive: byte flips and truncations of the <c>.tar.gz</c>,
/// header byte flips and lying size fields inside a correctly compressed tar, and hostile member names. Every
/// variant is seeded, so a failing case can be re-made from its description.
/// </summary>
internal static class ArchiveMutations
{
    /// <summary>A named variant: the archive bytes to write.</summary>
    public sealed record Case(string Description, byte[] Archive);

    /// <summary>How many more cases than the CI counts (DWF_CORRUPTION_SCALE, default 1; e.g. 10 for a by-hand run).</summary>
    public static int Scale => int.TryParse(Environment.GetEnvironmentVariable("DWF_CORRUPTION_SCALE"), out int s) && s > 0 ? s : 1;

    /// <summary>The uncompressed tar of <paramref name="members"/>, as <see cref="SyntheticCifar.WriteArchive"/> lays it out.</summary>
    public static byte[] Tar(Dictionary<string, byte[]> members, Func<string, string>? rename = null)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, Cifar10Format.FolderName + "/"));
            foreach (var (name, data) in members.OrderByDescending(m => m.Key))
            {
                string path = $"{Cifar10Format.FolderName}/{name}";
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, rename?.Invoke(path) ?? path) { DataStream = new MemoryStream(data) });
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Compresses <paramref name="tar"/> with gzip (a valid trailer for whatever the tar holds).</summary>
    public static byte[] Gzip(byte[] tar)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return buffer.ToArray();
    }

    /// <summary>Offsets of the tar's header blocks with their member sizes.</summary>
    public static List<(int Offset, long Size)> Headers(byte[] tar)
    {
        var headers = new List<(int, long)>();
        int offset = 0;
        while (offset + 512 <= tar.Length && tar[offset] != 0)
        {
            long size = Convert.ToInt64(Encoding.ASCII.GetString(tar, offset + 124, 11).Trim('\0', ' '), 8);
            headers.Add((offset, size));
            offset += 512 + (int)((size + 511) / 512 * 512);
        }

        return headers;
    }

    /// <summary>A copy of <paramref name="tar"/> whose header at <paramref name="offset"/> declares <paramref name="size"/>, checksum fixed.</summary>
    public static byte[] WithSize(byte[] tar, int offset, long size)
    {
        var copy = (byte[])tar.Clone();
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(copy, offset + 124);
        FixChecksum(copy, offset);
        return copy;
    }

    private static void FixChecksum(byte[] tar, int offset)
    {
        for (int i = 148; i < 156; i++)
        {
            tar[offset + i] = (byte)' ';
        }

        long sum = 0;
        for (int i = 0; i < 512; i++)
        {
            sum += tar[offset + i];
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, offset + 148);
    }

    /// <summary>Every generated case (about 330 at scale 1).</summary>
    public static IEnumerable<Case> All(Dictionary<string, byte[]> members)
    {
        byte[] tar = Tar(members);
        byte[] archive = Gzip(tar);
        var random = new Random(20261201);
        int scale = Scale;

        // Single-byte flips anywhere in the compressed file: header, deflate data, CRC-32 and length trailer.
        for (int i = 0; i < 200 * scale; i++)
        {
            int at = i < 24 ? i : i < 40 ? archive.Length - 1 - (i - 24) % 8 : random.Next(archive.Length);
            byte mask = (byte)random.Next(1, 256);
            var copy = (byte[])archive.Clone();
            copy[at] ^= mask;
            yield return new Case($"gzip byte {at} ^= 0x{mask:x2}", copy);
        }

        // Truncations, including inside the 8-byte trailer.
        for (int i = 0; i < 40 * scale; i++)
        {
            int length = i < 8 ? archive.Length - 1 - i : random.Next(archive.Length);
            yield return new Case($"gzip truncated to {length} of {archive.Length} bytes", archive[..length]);
        }

        // Flips inside tar header blocks, re-compressed so the gzip layer is intact: the tar layer must catch them.
        var headers = Headers(tar);
        for (int i = 0; i < 40 * scale; i++)
        {
            var (offset, _) = headers[random.Next(headers.Count)];
            int at = offset + random.Next(512);
            byte mask = (byte)random.Next(1, 256);
            var copy = (byte[])tar.Clone();
            copy[at] ^= mask;
            yield return new Case($"tar header byte {at} ^= 0x{mask:x2}", Gzip(copy));
        }

        // Size fields that lie (checksum recomputed, so only the sizes disagree with the data).
        foreach (var (offset, size) in headers)
        {
            long[] lies = [size + 1, size - 1, size + Cifar10Format.RecordSize, size - Cifar10Format.RecordSize, size * 2,
                           512L * Cifar10Format.RecordSize * 1000, 0x1_0000_0000L, 8_589_934_591L /* 0o77777777777 */];
            foreach (long lie in lies.Where(l => l >= 0 && l != size).Distinct())
            {
                yield return new Case($"tar header at {offset} declares size {lie} instead of {size}", Gzip(WithSize(tar, offset, lie)));
            }
        }

        // Hostile names: traversal and absolute paths (the reader extracts nothing; the name only selects a member),
        // and a member that appears twice.
        string[] prefixes = ["../", "../../../../tmp/", "/etc/", "./x/../"];
        foreach (string prefix in prefixes)
        {
            yield return new Case($"members renamed to '{prefix}…'", Gzip(Tar(members, p => prefix + Path.GetFileName(p))));
        }

        using var doubled = new MemoryStream();
        using (var writer = new TarWriter(doubled, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, data) in members.Append(new KeyValuePair<string, byte[]>("data_batch_2.bin", members["data_batch_3.bin"])))
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{Cifar10Format.FolderName}/{name}") { DataStream = new MemoryStream(data) });
            }
        }

        yield return new Case("data_batch_2.bin twice, the second copy holding other records", Gzip(doubled.ToArray()));
        yield return new Case("empty file", []);
        yield return new Case("a tar that is not compressed", tar);

        // The gzip trailer cut off, with and without a flipped byte in the deflate data: .NET's GZipStream takes the
        // end of the file for the end of the data and checks nothing (issue 35). Drawn last, from their own generator,
        // so the cases above stay the same.
        var cut = new Random(20261204);
        yield return new Case("gzip trailer (8 bytes) cut", archive[..^8]);
        for (int i = 0; i < 10 * scale; i++)
        {
            var copy = archive[..^8];
            int at = 10 + cut.Next(copy.Length - 10);
            copy[at] ^= (byte)cut.Next(1, 256);
            yield return new Case($"gzip byte {at} flipped and the 8-byte trailer cut", copy);
        }
    }
}

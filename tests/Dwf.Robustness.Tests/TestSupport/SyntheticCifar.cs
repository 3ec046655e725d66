using System.Formats.Tar;
using System.IO.Compression;
using Dwf.Robustness.Data;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>Writes small, deterministic data in the official CIFAR-10 binary layout.</summary>
internal static class SyntheticCifar
{
    public static readonly string[] ClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Records of one member: record r has label (r*7+seed) % 10 and pixel i = (r*31 + i*13 + seed) % 256.</summary>
    public static byte[] Records(int count, int seed)
    {
        var bytes = new byte[count * Cifar10Format.RecordSize];
        for (int r = 0; r < count; r++)
        {
            int o = r * Cifar10Format.RecordSize;
            bytes[o] = (byte)((r * 7 + seed) % 10);
            for (int i = 0; i < Cifar10Format.ImageSize; i++)
            {
                bytes[o + 1 + i] = (byte)((r * 31 + i * 13 + seed) % 256);
            }
        }

        return bytes;
    }

    /// <summary>The members of a complete archive: 5 train batches of <paramref name="perBatch"/> records, a test batch, the meta file.</summary>
    public static Dictionary<string, byte[]> Members(int perBatch = 20)
    {
        var members = new Dictionary<string, byte[]>();
        for (int b = 1; b <= 5; b++)
        {
            members[$"data_batch_{b}.bin"] = Records(perBatch, b);
        }

        members["test_batch.bin"] = Records(perBatch, 99);
        members[Cifar10Format.MetaFileName] = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", ClassNames) + "\n\n");
        return members;
    }

    /// <summary>Writes a .tar.gz with the members under cifar-10-batches-bin/ (in a shuffled order, as a real archive may have).</summary>
    public static string WriteArchive(string directory, Dictionary<string, byte[]> members)
    {
        string path = Path.Combine(directory, Cifar10Format.ArchiveFileName);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, Cifar10Format.FolderName + "/"));
        foreach (var (name, data) in members.OrderByDescending(m => m.Key))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, $"{Cifar10Format.FolderName}/{name}")
            {
                DataStream = new MemoryStream(data),
            };
            tar.WriteEntry(entry);
        }

        return path;
    }

    /// <summary>Writes the members into directory/cifar-10-batches-bin/ and returns directory.</summary>
    public static string WriteFolder(string directory, Dictionary<string, byte[]> members)
    {
        string folder = Path.Combine(directory, Cifar10Format.FolderName);
        Directory.CreateDirectory(folder);
        foreach (var (name, data) in members)
        {
            File.WriteAllBytes(Path.Combine(folder, name), data);
        }

        return directory;
    }
}

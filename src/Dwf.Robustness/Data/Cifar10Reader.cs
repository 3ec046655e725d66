using System.Formats.Tar;
using System.IO.Compression;
using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// Reads CIFAR-10 in the official binary layout, either straight from <c>cifar-10-binary.tar.gz</c> (streamed
/// through the framework's gzip and tar readers, nothing extracted) or from an extracted
/// <c>cifar-10-batches-bin</c> folder. Every defect gives an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class Cifar10Reader
{
    /// <summary>Loads a split from an archive file or an extracted folder (detected from the path).</summary>
    /// <param name="path">The <c>.tar.gz</c> archive, the <c>cifar-10-batches-bin</c> folder, or its parent.</param>
    /// <param name="split">Train (50,000 images) or test (10,000).</param>
    /// <returns>A dataset the caller owns.</returns>
    /// <exception cref="FileNotFoundException">Nothing at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A missing member, a bad size or label, or a corrupt archive.</exception>
    public static ImageDataset Load(string path, Cifar10Split split) => LoadPath(path, [split])[0];

    /// <summary>
    /// Loads the training and the test split in one pass over the archive (or folder): half the decompression work
    /// of two <see cref="Load"/> calls, since both splits come from the same <c>.tar.gz</c> stream.
    /// </summary>
    /// <param name="path">The <c>.tar.gz</c> archive, the <c>cifar-10-batches-bin</c> folder, or its parent.</param>
    /// <returns>Both splits; the caller owns (and disposes) the result.</returns>
    /// <exception cref="FileNotFoundException">Nothing at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A missing member, a bad size or label, or a corrupt archive.</exception>
    public static Cifar10Splits LoadTrainAndTest(string path)
    {
        var both = LoadPath(path, [Cifar10Split.Train, Cifar10Split.Test]);
        return new Cifar10Splits(both[0], both[1]);
    }

    /// <summary>Loads a split by streaming the official <c>.tar.gz</c> archive.</summary>
    /// <param name="archivePath">Path of <c>cifar-10-binary.tar.gz</c>.</param>
    /// <param name="split">Train or test.</param>
    public static ImageDataset LoadArchive(string archivePath, Cifar10Split split) => LoadArchive(archivePath, [split])[0];

    /// <summary>Loads a split from an extracted <c>cifar-10-batches-bin</c> folder (or its parent).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="split">Train or test.</param>
    public static ImageDataset LoadFolder(string folder, Cifar10Split split) => LoadFolder(folder, [split])[0];

    /// <summary>The splits from an archive file or an extracted folder, whichever <paramref name="path"/> is.</summary>
    private static ImageDataset[] LoadPath(string path, Cifar10Split[] splits)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return File.Exists(path) ? LoadArchive(path, splits)
            : Directory.Exists(path) ? LoadFolder(path, splits)
            : throw new FileNotFoundException(Cifar10Format.MissingDataMessage(path), path);
    }

    private static ImageDataset[] LoadArchive(string archivePath, Cifar10Split[] splits)
    {
        if (!File.Exists(archivePath))
        {
            throw new FileNotFoundException(Cifar10Format.MissingDataMessage(archivePath), archivePath);
        }

        return LoadSplits(splits, archivePath, parts => ReadArchive(archivePath, parts));
    }

    private static ImageDataset[] LoadFolder(string folder, Cifar10Split[] splits)
    {
        string nested = Path.Combine(folder, Cifar10Format.FolderName);
        if (Directory.Exists(nested))
        {
            folder = nested;
        }

        if (!Directory.Exists(folder))
        {
            throw new FileNotFoundException(Cifar10Format.MissingDataMessage(folder), folder);
        }

        return LoadSplits(splits, folder, parts => ReadFolder(folder, parts));
    }

    /// <summary>
    /// One assembler per split, filled by <paramref name="read"/> (which returns the class names, or null if the
    /// source has none), then built into datasets: every split, or none (a failure disposes those already built).
    /// </summary>
    private static ImageDataset[] LoadSplits(Cifar10Split[] splits, string source, Func<SplitAssembler[], string[]?> read)
    {
        var parts = splits.Select(s => new SplitAssembler(Cifar10Format.MemberFiles(s))).ToArray();
        var built = new List<ImageDataset>(parts.Length);
        try
        {
            string[]? classNames = read(parts);
            foreach (var p in parts)
            {
                built.Add(p.Build(classNames, source));
            }

            return built.ToArray();
        }
        catch
        {
            foreach (var d in built)
            {
                d.Dispose();
            }

            throw;
        }
        finally
        {
            foreach (var p in parts)
            {
                p.Dispose();
            }
        }
    }

    /// <summary>Streams the archive once, handing each wanted member to the split that wants it; returns the class names.</summary>
    private static string[]? ReadArchive(string archivePath, SplitAssembler[] parts)
    {
        string[]? classNames = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            Cifar10Format.RequireRegularFile(archivePath);
            using var file = File.OpenRead(archivePath);
            using var decompressed = new GZipStream(file, CompressionMode.Decompress);
            using var gzip = new ChecksumReadStream(decompressed);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                {
                    continue;
                }

                string name = Path.GetFileName(entry.Name);
                string source = $"{archivePath}!{entry.Name}";
                var owner = parts.FirstOrDefault(p => p.Wants(name));
                if ((owner is not null || name == Cifar10Format.MetaFileName) && !seen.Add(name))
                {
                    throw Cifar10DataException.Create(
                        $"'{source}': a second '{name}'. The official archive holds each file once; this one is not it.");
                }

                if (owner is not null)
                {
                    owner.Complete(name, Cifar10RecordParser.Parse(entry.DataStream, entry.Length, source, n => owner.Destination(name, n)));
                }
                else if (name == Cifar10Format.MetaFileName)
                {
                    using var text = new StreamReader(entry.DataStream, leaveOpen: true);
                    classNames = ParseClassNames(text.ReadToEnd(), source);
                }
            }

            // The tar reader stops at the end marker; reading the gzip stream to its end makes the decompressor check
            // the CRC-32 and length in the gzip trailer, so a flipped byte anywhere in the file cannot pass as data.
            DrainTrailer(gzip, archivePath);
            RequireGzipTrailer(file, gzip.Checksum, archivePath);
        }
        catch (Exception e) when ((e is EndOfStreamException or FormatException or InvalidOperationException
                                      or InvalidDataException) && !Cifar10DataException.IsOwn(e))
        {
            throw new InvalidDataException(
                $"'{archivePath}' is truncated or corrupt ({e.Message}). Download it again (md5 {Cifar10Format.ArchiveMd5}).", e);
        }

        return classNames;
    }

    /// <summary>Reads every wanted member file of the extracted folder; returns the class names.</summary>
    private static string[]? ReadFolder(string folder, SplitAssembler[] parts)
    {
        RequireEqualBatchSizes(folder);
        foreach (var part in parts)
        {
            foreach (string name in part.Wanted)
            {
                string file = Path.Combine(folder, name);
                if (!File.Exists(file))
                {
                    continue; // reported as missing by Build
                }

                Cifar10Format.RequireRegularFile(file);
                using var stream = File.OpenRead(file);
                part.Complete(name, Cifar10RecordParser.Parse(stream, stream.Length, file, n => part.Destination(name, n)));
            }
        }

        string meta = Path.Combine(folder, Cifar10Format.MetaFileName);
        return File.Exists(meta) ? ParseClassNames(File.ReadAllText(meta), meta) : null;
    }

    /// <summary>
    /// A folder has no checksum, so a batch file cut at a record boundary would read as a smaller batch. Every batch
    /// file of CIFAR-10 (training and test) holds the same number of records: the ones that differ from the others
    /// are named.
    /// </summary>
    private static void RequireEqualBatchSizes(string folder)
    {
        var sizes = Cifar10Format.MemberFiles(Cifar10Split.Train).Concat(Cifar10Format.MemberFiles(Cifar10Split.Test))
            .Select(name => new FileInfo(Path.Combine(folder, name)))
            .Where(f => f.Exists)
            .ToList();
        if (sizes.Select(f => f.Length).Distinct().Count() <= 1)
        {
            return;
        }

        long usual = sizes.GroupBy(f => f.Length).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
        var odd = sizes.Where(f => f.Length != usual).Select(f => $"'{f.FullName}' ({f.Length} bytes)");
        throw Cifar10DataException.Create(
            $"{string.Join(", ", odd)} differ from the other batch files ({usual} bytes each): every CIFAR-10 batch file " +
            "holds the same number of records, so these are truncated, extended or from another data set.");
    }

    /// <summary>Reads the rest of the decompressed stream: only the zero padding of a tar file may follow its end marker.</summary>
    private static void DrainTrailer(Stream gzip, string archivePath)
    {
        var buffer = new byte[64 * 1024];
        long offset = 0;
        int read;
        while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
        {
            int nonZero = buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (nonZero >= 0)
            {
                throw Cifar10DataException.Create(
                    $"'{archivePath}' has data after the tar end marker (byte {offset + nonZero} of the trailer): a member's " +
                    $"size field is wrong or the archive is corrupt. Download it again (md5 {Cifar10Format.ArchiveMd5}).");
            }

            offset += read;
        }
    }

    /// <summary>
    /// .NET's GZipStream takes the end of the file for the end of the data when the 8-byte trailer (CRC-32, length) is
    /// missing, so a cut file would skip the integrity check. The trailer is read here and compared with the CRC-32 and
    /// length of everything decompressed (the official archive is one gzip member).
    /// </summary>
    private static void RequireGzipTrailer(FileStream file, Crc32 data, string archivePath)
    {
        Span<byte> trailer = stackalloc byte[8];
        long length = file.Length;
        bool complete = length >= 18 && RandomAccess.Read(file.SafeFileHandle, trailer, length - 8) == 8;
        uint crc = complete ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer) : 0;
        uint size = complete ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) : 0;
        if (!complete || crc != data.Value || size != (uint)data.Length)
        {
            throw Cifar10DataException.Create(
                $"'{archivePath}' does not end with the gzip trailer of its data (CRC-32 {data.Value:x8}, length {data.Length} mod 2^32; " +
                $"its last 8 bytes say {crc:x8} and {size}): it is truncated or corrupt, or not a single-member gzip like the official archive. " +
                $"Download it again (md5 {Cifar10Format.ArchiveMd5}).");
        }
    }

    private static string[] ParseClassNames(string text, string source)
    {
        var names = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != Cifar10Format.ClassCount)
        {
            throw Cifar10DataException.Create($"'{source}' lists {names.Length} class names; CIFAR-10 has {Cifar10Format.ClassCount}.");
        }

        return names;
    }
}

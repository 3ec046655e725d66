using System.Formats.Tar;
using System.IO.Compression;
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
    public static Cifar10Dataset Load(string path, Cifar10Split split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return LoadArchive(path, split);
        }

        if (Directory.Exists(path))
        {
            return LoadFolder(path, split);
        }

        throw new FileNotFoundException(Cifar10Format.MissingDataMessage(path), path);
    }

    /// <summary>Loads a split by streaming the official <c>.tar.gz</c> archive.</summary>
    /// <param name="archivePath">Path of <c>cifar-10-binary.tar.gz</c>.</param>
    /// <param name="split">Train or test.</param>
    public static Cifar10Dataset LoadArchive(string archivePath, Cifar10Split split)
    {
        if (!File.Exists(archivePath))
        {
            throw new FileNotFoundException(Cifar10Format.MissingDataMessage(archivePath), archivePath);
        }

        var wanted = Cifar10Format.MemberFiles(split);
        var parts = new Dictionary<string, (byte[] Images, long[] Labels)>();
        string[]? classNames = null;
        try
        {
            using var file = File.OpenRead(archivePath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                {
                    continue;
                }

                string name = Path.GetFileName(entry.Name);
                string source = $"{archivePath}!{entry.Name}";
                if (wanted.Contains(name))
                {
                    parts[name] = Cifar10RecordParser.Parse(entry.DataStream, entry.Length, source);
                }
                else if (name == Cifar10Format.MetaFileName)
                {
                    using var text = new StreamReader(entry.DataStream, leaveOpen: true);
                    classNames = ParseClassNames(text.ReadToEnd(), source);
                }
            }
        }
        catch (Exception e) when ((e is EndOfStreamException or FormatException or InvalidOperationException
                                      or InvalidDataException) && !Cifar10DataException.IsOwn(e))
        {
            throw new InvalidDataException(
                $"'{archivePath}' is truncated or corrupt ({e.Message}). Download it again (md5 {Cifar10Format.ArchiveMd5}).", e);
        }

        return Assemble(parts, wanted, classNames, archivePath);
    }

    /// <summary>Loads a split from an extracted folder.</summary>
    /// <param name="folder">The <c>cifar-10-batches-bin</c> folder, or a folder containing it.</param>
    /// <param name="split">Train or test.</param>
    public static Cifar10Dataset LoadFolder(string folder, Cifar10Split split)
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

        var wanted = Cifar10Format.MemberFiles(split);
        var parts = new Dictionary<string, (byte[] Images, long[] Labels)>();
        foreach (string name in wanted)
        {
            string file = Path.Combine(folder, name);
            if (!File.Exists(file))
            {
                continue; // reported as missing by Assemble
            }

            using var stream = File.OpenRead(file);
            parts[name] = Cifar10RecordParser.Parse(stream, stream.Length, file);
        }

        string meta = Path.Combine(folder, Cifar10Format.MetaFileName);
        string[]? classNames = File.Exists(meta) ? ParseClassNames(File.ReadAllText(meta), meta) : null;
        return Assemble(parts, wanted, classNames, folder);
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

    private static Cifar10Dataset Assemble(
        Dictionary<string, (byte[] Images, long[] Labels)> parts, IReadOnlyList<string> wanted, string[]? classNames, string source)
    {
        var missing = wanted.Where(w => !parts.ContainsKey(w)).ToList();
        if (classNames is null)
        {
            missing.Add(Cifar10Format.MetaFileName);
        }

        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"'{source}' lacks {string.Join(", ", missing)}: it is not a complete CIFAR-10 binary archive or folder.");
        }

        long total = wanted.Sum(w => (long)parts[w].Labels.Length);
        using var scope = NewDisposeScope();
        var images = empty(new[] { total, Cifar10Format.Channels, Cifar10Format.Height, Cifar10Format.Width }, ScalarType.Byte);
        var labels = empty(new[] { total }, ScalarType.Int64);
        long offset = 0;
        foreach (string w in wanted)
        {
            var (img, lab) = parts[w];
            parts.Remove(w); // let the managed copy go as soon as it is in the tensor
            long n = lab.Length;
            using (var t = tensor(img, new[] { n, Cifar10Format.Channels, Cifar10Format.Height, Cifar10Format.Width }))
            {
                images.narrow(0, offset, n).copy_(t);
            }

            using (var t = tensor(lab))
            {
                labels.narrow(0, offset, n).copy_(t);
            }

            offset += n;
        }

        return new Cifar10Dataset(images, labels, classNames!);
    }
}

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
        using var parts = new SplitAssembler(wanted);
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
                    parts.Complete(name, Cifar10RecordParser.Parse(entry.DataStream, entry.Length, source, n => parts.Destination(name, n)));
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

        return parts.Build(classNames, archivePath);
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
        using var parts = new SplitAssembler(wanted);
        foreach (string name in wanted)
        {
            string file = Path.Combine(folder, name);
            if (!File.Exists(file))
            {
                continue; // reported as missing by Build
            }

            using var stream = File.OpenRead(file);
            parts.Complete(name, Cifar10RecordParser.Parse(stream, stream.Length, file, n => parts.Destination(name, n)));
        }

        string meta = Path.Combine(folder, Cifar10Format.MetaFileName);
        string[]? classNames = File.Exists(meta) ? ParseClassNames(File.ReadAllText(meta), meta) : null;
        return parts.Build(classNames, folder);
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

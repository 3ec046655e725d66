using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// Saves and loads a module's weights (an expert, a gate or a whole mixture) in TorchSharp's state-dict format.
/// Saving is atomic. Loading first checks every name, dtype and shape in the file against the module and refuses a
/// mismatched file with one message listing every difference, before any weight is changed.
/// </summary>
public static class ModelFile
{
    /// <summary>Writes the module's state dict to <paramref name="path"/> atomically (temp file + rename).</summary>
    /// <param name="module">The module; it may live on any device.</param>
    /// <param name="path">Destination file.</param>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            module.save(writer);
        });
    }

    /// <summary>Loads weights saved by <see cref="Save"/> into <paramref name="module"/>.</summary>
    /// <param name="module">A module of the same architecture; it keeps its device.</param>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file does not match the module (every mismatch listed) or is corrupt; the module is unchanged.</exception>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        Load(module, ReadAll(path, "model file"), path);
    }

    /// <summary>The module's state dict as <see cref="Save"/> writes it, in memory (to hash it before it is written).</summary>
    internal static byte[] Serialize(nn.Module module)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            module.save(writer);
        }

        return memory.ToArray();
    }

    /// <summary>The table of contents of the model file content <paramref name="bytes"/>, checked to end where the file does.</summary>
    internal static List<StateDictFile.Entry> Contents(byte[] bytes, string path)
    {
        using var header = new BinaryReader(new MemoryStream(bytes));
        var entries = StateDictFile.ReadHeader(header, path);
        if (header.BaseStream.Position != bytes.Length)
        {
            throw new InvalidDataException($"'{path}' has {bytes.Length - header.BaseStream.Position} bytes after its last entry; the file is corrupt. Nothing was loaded.");
        }

        return entries;
    }

    /// <summary>Loads the model file content <paramref name="bytes"/> (read from <paramref name="path"/>) into <paramref name="module"/>, checked first.</summary>
    internal static void Load(nn.Module module, byte[] bytes, string path) => Load(module, bytes, Contents(bytes, path), path);

    /// <summary>Loads <paramref name="bytes"/> into <paramref name="module"/> given their already parsed table of contents <paramref name="entries"/> (from <see cref="Contents"/>).</summary>
    internal static void Load(nn.Module module, byte[] bytes, List<StateDictFile.Entry> entries, string path)
    {
        CheckMatches(module, entries, path);
        using var reader = new BinaryReader(new MemoryStream(bytes));
        using (no_grad())
        {
            module.load(reader, strict: true);
        }
    }

    /// <summary>
    /// The whole file, refusing a missing path, and a FIFO or device before it is opened (opening a FIFO blocks until
    /// a writer appears; such files report length 0, as an empty file does).
    /// </summary>
    internal static byte[] ReadAll(string path, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {what} at '{path}'.", path);
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new InvalidDataException($"'{path}' is empty or not a regular file (a FIFO or device?); it cannot be a {what}.");
        }

        return File.ReadAllBytes(path);
    }

    internal static void CheckMatches(nn.Module module, List<StateDictFile.Entry> entries, string path)
    {
        var expected = module.state_dict();
        var problems = new List<string>();
        var seen = new HashSet<string>();
        foreach (var entry in entries)
        {
            seen.Add(entry.Name);
            if (!expected.TryGetValue(entry.Name, out var target))
            {
                problems.Add($"unexpected '{entry.Name}' {InputGuards.Shape(entry.Shape)}");
            }
            else if (!target.shape.SequenceEqual(entry.Shape) || target.dtype != entry.DType)
            {
                problems.Add($"'{entry.Name}': file has {entry.DType} {InputGuards.Shape(entry.Shape)}, model has {target.dtype} {InputGuards.Shape(target.shape)}");
            }
        }

        problems.AddRange(expected.Keys.Where(k => !seen.Contains(k)).Select(k => $"missing '{k}'"));
        if (problems.Count > 0)
        {
            const int shown = 20;
            string list = string.Join("; ", problems.Take(shown)) + (problems.Count > shown ? $"; … {problems.Count - shown} more" : "");
            throw new InvalidDataException(
                $"'{path}' does not match this {module.GetName()} ({problems.Count} differences: {list}). " +
                "Build the model with the same architecture, width and number of classes as the one that was saved. Nothing was loaded.");
        }
    }
}

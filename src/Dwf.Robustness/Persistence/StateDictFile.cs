using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// Reads the table of contents (names, dtypes, shapes) of a file in TorchSharp's state-dict format without
/// loading any tensor: an LEB128 entry count, then per entry a .NET string name, LEB128 dtype, LEB128 rank,
/// LEB128 dimensions and the raw data. Every size is checked against the bytes the file really holds before it is
/// used, and floating-point data is checked to be finite, so a corrupt file is refused before anything is loaded.
/// </summary>
internal static class StateDictFile
{
    public sealed record Entry(string Name, ScalarType DType, long[] Shape)
    {
        public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
    }

    public static List<Entry> ReadHeader(BinaryReader reader, string source)
    {
        try
        {
            long count = Leb128(reader);
            if (count is < 0 or > 1_000_000)
            {
                throw new InvalidDataException($"'{source}' is not a TorchSharp state-dict file (entry count {count}).");
            }

            var entries = new List<Entry>((int)Math.Min(count, 4096));
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (long i = 0; i < count; i++)
            {
                string name;
                try
                {
                    name = reader.ReadString();
                }
                catch (Exception e) when (e is IOException or FormatException && e is not EndOfStreamException)
                {
                    throw new InvalidDataException($"'{source}': the name of entry {i} is unreadable ({e.Message}); the file is corrupt.", e);
                }

                if (!names.Add(name))
                {
                    throw new InvalidDataException($"'{source}': entry '{name}' appears twice; the file is corrupt or was edited.");
                }

                var entry = ReadEntryHeader(reader, name, source);
                SkipData(reader, entry, source);
                entries.Add(entry);
            }

            return entries;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{source}' is truncated: it ends before its table of contents does.", e);
        }
    }

    /// <summary>Reads one tensor's dtype, rank and dimensions, refusing sizes the rest of the file cannot hold.</summary>
    public static Entry ReadEntryHeader(BinaryReader reader, string name, string source)
    {
        long code = Leb128(reader);
        var dtype = (ScalarType)code;
        long elementSize = code is >= 0 and <= int.MaxValue ? ElementSize(dtype, name, source) : 0;
        if (elementSize == 0)
        {
            throw new InvalidDataException($"'{source}': entry '{name}' has unknown dtype code {code}; the file is corrupt.");
        }

        long rank = Leb128(reader);
        if (rank is < 0 or > 16)
        {
            throw new InvalidDataException($"'{source}': entry '{name}' has an impossible rank {rank}; the file is corrupt.");
        }

        long available = reader.BaseStream.Length - reader.BaseStream.Position;
        var shape = new long[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++)
        {
            shape[d] = Leb128(reader);
            if (shape[d] < 0 || (shape[d] > 0 && elements > available / elementSize / shape[d]))
            {
                throw new InvalidDataException(
                    $"'{source}': entry '{name}' claims dimension {d} = {shape[d]}, more data than the file's {available} remaining bytes; the file is corrupt or truncated.");
            }

            elements *= shape[d];
        }

        return new Entry(name, dtype, shape);
    }

    /// <summary>Steps over an entry's data, checking it is all there and, for floating-point data, finite.</summary>
    public static void SkipData(BinaryReader reader, Entry entry, string source)
    {
        long bytes = entry.Elements * ElementSize(entry.DType, entry.Name, source);
        if (reader.BaseStream.Position + bytes > reader.BaseStream.Length)
        {
            throw new InvalidDataException($"'{source}' ends inside entry '{entry.Name}': the file is truncated.");
        }

        if (entry.DType != ScalarType.Float32)
        {
            reader.BaseStream.Seek(bytes, SeekOrigin.Current);
            return;
        }

        var chunk = new byte[64 * 1024];
        for (long done = 0; done < bytes;)
        {
            int n = (int)Math.Min(chunk.Length, bytes - done);
            reader.BaseStream.ReadExactly(chunk, 0, n);
            foreach (float v in MemoryMarshal.Cast<byte, float>(chunk.AsSpan(0, n)))
            {
                if (!float.IsFinite(v))
                {
                    throw new InvalidDataException(
                        $"'{source}': entry '{entry.Name}' holds {v}: the weights diverged or the file is corrupt. Nothing was loaded.");
                }
            }

            done += n;
        }
    }

    public static long Leb128(BinaryReader reader)
    {
        long result = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 63)
            {
                throw new InvalidDataException("An integer in the file is longer than 64 bits; the file is corrupt.");
            }

            long b = reader.ReadByte();
            result |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
    }

    private static long ElementSize(ScalarType dtype, string name, string source) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new InvalidDataException($"'{source}': entry '{name}' has unknown dtype code {(int)dtype}; the file is corrupt."),
    };
}

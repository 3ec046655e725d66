using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// Reads the table of contents (names, dtypes, shapes) of a file in TorchSharp's state-dict format without
/// loading any tensor: an LEB128 entry count, then per entry a .NET string name, LEB128 dtype, LEB128 rank,
/// LEB128 dimensions and the raw data.
/// </summary>
internal static class StateDictFile
{
    public sealed record Entry(string Name, ScalarType DType, long[] Shape);

    public static List<Entry> ReadHeader(BinaryReader reader, string source)
    {
        try
        {
            long count = Leb128(reader);
            if (count is < 0 or > 1_000_000)
            {
                throw new InvalidDataException($"'{source}' is not a TorchSharp state-dict file (entry count {count}).");
            }

            var entries = new List<Entry>((int)count);
            for (long i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var dtype = (ScalarType)Leb128(reader);
                long rank = Leb128(reader);
                if (rank is < 0 or > 16)
                {
                    throw new InvalidDataException($"'{source}': entry '{name}' has an impossible rank {rank}; the file is corrupt.");
                }

                var shape = new long[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = Leb128(reader);
                    elements *= shape[d];
                }

                long bytes = elements * ElementSize(dtype, name, source);
                if (reader.BaseStream.Position + bytes > reader.BaseStream.Length)
                {
                    throw new InvalidDataException($"'{source}' ends inside entry '{name}': the file is truncated.");
                }

                reader.BaseStream.Seek(bytes, SeekOrigin.Current);
                entries.Add(new Entry(name, dtype, shape));
            }

            return entries;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{source}' is truncated: it ends before its table of contents does.", e);
        }
    }

    private static long Leb128(BinaryReader reader)
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

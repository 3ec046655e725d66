using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// Parses the records of one CIFAR-10 batch file from a stream, validating as it goes. Records are read in chunks
/// into one small reusable buffer and the pixels copied straight into a native uint8 tensor, so no managed copy
/// of the images is ever held.
/// </summary>
internal static class Cifar10RecordParser
{
    private const int ChunkRecords = 1000;

    /// <summary>Reads <paramref name="length"/> bytes of records.</summary>
    /// <param name="stream">Positioned at the first record.</param>
    /// <param name="length">Byte length of the member.</param>
    /// <param name="source">Name used in error messages (file, or archive and member).</param>
    /// <param name="destination">Given the record count, returns a flat uint8 view [count, 3072] to receive the pixels.</param>
    /// <returns>The labels.</returns>
    public static long[] Parse(Stream stream, long length, string source, Func<long, Tensor> destination)
    {
        if (length % Cifar10Format.RecordSize != 0)
        {
            throw Cifar10DataException.Create(
                $"'{source}' has {length} bytes, not a multiple of the record size {Cifar10Format.RecordSize}: " +
                "the file is truncated or is not a CIFAR-10 binary batch.");
        }

        long count = length / Cifar10Format.RecordSize;
        if (count == 0)
        {
            throw Cifar10DataException.Create($"'{source}' holds no records.");
        }

        // The size comes from a tar header or the file system; nothing is allocated for more than a batch can hold.
        if (count > Cifar10Format.RecordsPerBatch)
        {
            throw Cifar10DataException.Create(
                $"'{source}' declares {length} bytes ({count} records); a CIFAR-10 batch file holds at most " +
                $"{Cifar10Format.RecordsPerBatch} records: its size field is corrupt or it is not a CIFAR-10 batch.");
        }

        var labels = new long[count];
        var buffer = new byte[ChunkRecords * Cifar10Format.RecordSize];
        using var flat = destination(count);
        using var chunk = empty(new long[] { ChunkRecords, Cifar10Format.RecordSize }, ScalarType.Byte);
        for (long first = 0; first < count; first += ChunkRecords)
        {
            int n = (int)Math.Min(ChunkRecords, count - first);
            int bytes = n * Cifar10Format.RecordSize;
            int read = stream.ReadAtLeast(buffer.AsSpan(0, bytes), bytes, throwOnEndOfStream: false);
            if (read < bytes)
            {
                throw Cifar10DataException.Create(
                    $"'{source}' ends inside record {first + read / Cifar10Format.RecordSize}: the file is truncated.");
            }

            for (int r = 0; r < n; r++)
            {
                byte label = buffer[r * Cifar10Format.RecordSize];
                if (label >= Cifar10Format.ClassCount)
                {
                    throw Cifar10DataException.Create(
                        $"'{source}' record {first + r}: label {label} is outside 0–{Cifar10Format.ClassCount - 1}; the file is corrupt.");
                }

                labels[first + r] = label;
            }

            chunk.bytes = buffer; // copies into the reused native chunk; no managed allocation per chunk
            using var scope = NewDisposeScope(); // the views below are freed now, not left to the GC
            flat.narrow(0, first, n).copy_(chunk.narrow(0, 0, n).narrow(1, 1, Cifar10Format.ImageSize));
        }

        return labels;
    }
}

namespace Dwf.Robustness.Data;

/// <summary>Parses the records of one CIFAR-10 batch file from a stream, validating as it goes.</summary>
internal static class Cifar10RecordParser
{
    /// <summary>Reads <paramref name="length"/> bytes of records into fresh image and label arrays.</summary>
    /// <param name="stream">Positioned at the first record.</param>
    /// <param name="length">Byte length of the member.</param>
    /// <param name="source">Name used in error messages (file, or archive and member).</param>
    public static (byte[] Images, long[] Labels) Parse(Stream stream, long length, string source)
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

        var images = new byte[count * Cifar10Format.ImageSize];
        var labels = new long[count];
        var label = new byte[1];
        for (long r = 0; r < count; r++)
        {
            ReadExactly(stream, label, source, r);
            if (label[0] >= Cifar10Format.ClassCount)
            {
                throw Cifar10DataException.Create(
                    $"'{source}' record {r}: label {label[0]} is outside 0–{Cifar10Format.ClassCount - 1}; the file is corrupt.");
            }

            labels[r] = label[0];
            ReadExactly(stream, images.AsSpan((int)(r * Cifar10Format.ImageSize), Cifar10Format.ImageSize), source, r);
        }

        return (images, labels);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, long record)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw Cifar10DataException.Create($"'{source}' ends inside record {record}: the file is truncated.");
        }
    }
}

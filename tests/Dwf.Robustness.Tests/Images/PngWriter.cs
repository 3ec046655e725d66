using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dwf.Robustness.Tests.Images;

/// <summary>Writes PNG files byte by byte (any header, any bit depth), for decoder tests no encoder would produce.</summary>
internal static class PngWriter
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    /// <summary>A PNG whose header says <paramref name="width"/> × <paramref name="height"/> at the given depth and colour type, with <paramref name="rows"/> as its (unfiltered) scanlines.</summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colourType, byte[][] rows)
    {
        using var file = new MemoryStream();
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colourType;
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var row in rows)
            {
                z.WriteByte(0); // filter: none
                z.Write(row);
            }
        }

        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        file.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        file.Write(typed);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typed)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        var tail = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc ^ 0xFFFFFFFFu);
        file.Write(tail);
    }
}

namespace Dwf.Robustness.Infrastructure;

/// <summary>A read-only pass-through stream that keeps the CRC-32 and length of every byte read through it.</summary>
internal sealed class ChecksumReadStream(Stream inner) : Stream
{
    /// <summary>The checksum and length of what has been read.</summary>
    public Crc32 Checksum { get; } = new();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Checksum.Length;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        Checksum.Append(buffer[..read]);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

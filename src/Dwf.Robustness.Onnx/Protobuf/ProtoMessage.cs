using Google.Protobuf;

namespace Dwf.Robustness.Onnx.Protobuf;

/// <summary>
/// One protobuf message being written: fields appended in order with Google.Protobuf's wire encoder, nested messages
/// as length-delimited bytes. Only writing is needed (the exporter never parses a file), so there is no generated code:
/// the field numbers of onnx.proto are named where they are used (<see cref="OnnxProto"/>).
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public ProtoMessage()
    {
        _output = new CodedOutputStream(_buffer, leaveOpen: true);
    }

    public ProtoMessage Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtoMessage Int32(int field, int value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt32(value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage message) => Bytes(field, message.ToArray());

    /// <summary>A repeated int64 field, one entry per value (unpacked: accepted by every reader).</summary>
    public ProtoMessage Int64s(int field, IEnumerable<long> values)
    {
        foreach (long v in values)
        {
            Int64(field, v);
        }

        return this;
    }

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}

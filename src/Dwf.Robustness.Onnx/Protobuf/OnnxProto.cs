using System.Runtime.InteropServices;

namespace Dwf.Robustness.Onnx.Protobuf;

/// <summary>
/// The onnx.proto messages the exporter writes (IR version 8, opset 17), each with the field numbers of the ONNX
/// specification (github.com/onnx/onnx, onnx/onnx.proto): models, graphs, nodes with attributes, float and int64
/// tensors, and tensor value infos with symbolic or fixed dimensions.
/// </summary>
internal static class OnnxProto
{
    /// <summary>The IR version written (ONNX 1.13+; ONNX Runtime reads it).</summary>
    public const long IrVersion = 8;

    /// <summary>The default domain's opset the graphs use.</summary>
    public const long Opset = 17;

    private const int ElementFloat = 1;
    private const int ElementInt64 = 7;

    /// <summary>A float tensor (raw little-endian data).</summary>
    public static ProtoMessage FloatTensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new ProtoMessage().Int64s(1, dims).Int32(2, ElementFloat).String(8, name);
        return BitConverter.IsLittleEndian
            ? tensor.Bytes(9, MemoryMarshal.AsBytes(values))
            : throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this exporter runs on little-endian machines only.");
    }

    /// <summary>An int64 tensor.</summary>
    public static ProtoMessage Int64Tensor(string name, long[] dims, IEnumerable<long> values) =>
        new ProtoMessage().Int64s(1, dims).Int32(2, ElementInt64).Int64s(7, values).String(8, name);

    /// <summary>A node: <paramref name="op"/> from <paramref name="inputs"/> to <paramref name="outputs"/>, with attributes.</summary>
    public static ProtoMessage Node(string name, string op, IEnumerable<string> inputs, IEnumerable<string> outputs, IEnumerable<ProtoMessage> attributes)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, name).String(4, op);
        foreach (var attribute in attributes)
        {
            node.Message(5, attribute);
        }

        return node;
    }

    /// <summary>An int attribute (type INT = 2).</summary>
    public static ProtoMessage Attribute(string name, long value) => new ProtoMessage().String(1, name).Int64(3, value).Int32(20, 2);

    /// <summary>A float attribute (type FLOAT = 1).</summary>
    public static ProtoMessage Attribute(string name, float value) => new ProtoMessage().String(1, name).Float(2, value).Int32(20, 1);

    /// <summary>An ints attribute (type INTS = 7).</summary>
    public static ProtoMessage Attribute(string name, long[] values) => new ProtoMessage().String(1, name).Int64s(8, values).Int32(20, 7);

    /// <summary>A tensor attribute (type TENSOR = 4), e.g. ConstantOfShape's value.</summary>
    public static ProtoMessage Attribute(string name, ProtoMessage tensor) => new ProtoMessage().String(1, name).Message(5, tensor).Int32(20, 4);

    /// <summary>A float tensor value info; a null dimension is symbolic (<paramref name="symbols"/> names it).</summary>
    public static ProtoMessage FloatValue(string name, long?[] dims, string[] symbols)
    {
        var shape = new ProtoMessage();
        for (int i = 0; i < dims.Length; i++)
        {
            shape.Message(1, dims[i] is { } d ? new ProtoMessage().Int64(1, d) : new ProtoMessage().String(2, symbols[i]));
        }

        var tensorType = new ProtoMessage().Int32(1, ElementFloat).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
    }

    /// <summary>A graph.</summary>
    public static ProtoMessage Graph(string name, IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> initializers, IEnumerable<ProtoMessage> inputs, IEnumerable<ProtoMessage> outputs)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, name);
        foreach (var initializer in initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (var input in inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in outputs)
        {
            graph.Message(12, output);
        }

        return graph;
    }

    /// <summary>A model around <paramref name="graph"/>, with string metadata.</summary>
    public static byte[] Model(ProtoMessage graph, string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ProtoMessage().Int64(1, IrVersion).String(2, "Dwf.Robustness").String(3, producerVersion).Message(7, graph)
            .Message(8, new ProtoMessage().String(1, "").Int64(2, Opset));
        foreach (var (key, value) in metadata)
        {
            model.Message(14, new ProtoMessage().String(1, key).String(2, value));
        }

        return model.ToArray();
    }
}

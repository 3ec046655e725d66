using Dwf.Robustness.Onnx.Protobuf;
using static TorchSharp.torch;

namespace Dwf.Robustness.Onnx;

/// <summary>An ONNX graph being built: nodes in execution order, weights as initializers, every value named once.</summary>
internal sealed class OnnxGraph
{
    private readonly List<ProtoMessage> _nodes = [];
    private readonly List<ProtoMessage> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>A float initializer of <paramref name="values"/> shaped <paramref name="dims"/>.</summary>
    public string Constant(string name, long[] dims, float[] values)
    {
        name = Unique(name);
        _initializers.Add(OnnxProto.FloatTensor(name, dims, values));
        return name;
    }

    /// <summary>An int64 initializer (shapes, axes).</summary>
    public string Int64Constant(string name, long[] values)
    {
        name = Unique(name);
        _initializers.Add(OnnxProto.Int64Tensor(name, [values.Length], values));
        return name;
    }

    /// <summary>A weight of the state dict as an initializer named by its key.</summary>
    public string Weight(string key, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        return Constant(key, tensor.shape, values);
    }

    /// <summary>One node with one output; returns the output's name.</summary>
    public string Op(string op, string[] inputs, params ProtoMessage[] attributes) => Ops(op, inputs, 1, attributes)[0];

    /// <summary>One node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Ops(string op, string[] inputs, int outputs, params ProtoMessage[] attributes)
    {
        int id = _counter++;
        var names = Enumerable.Range(0, outputs).Select(i => Unique($"{op}_{id}" + (outputs > 1 ? $"_{i}" : ""))).ToArray();
        _nodes.Add(OnnxProto.Node($"{op}_{id}", op, inputs, names, attributes));
        return names;
    }

    /// <summary>Renames the value <paramref name="value"/> to <paramref name="name"/> (an Identity node), e.g. for a graph output.</summary>
    public string Name(string value, string name)
    {
        name = Unique(name);
        _nodes.Add(OnnxProto.Node($"Identity_{name}", "Identity", [value], [name], []));
        return name;
    }

    /// <summary>The model: one float input [batch, channels, height, width] and float outputs [batch, n].</summary>
    public byte[] ToModel(string graphName, string input, long channels, IReadOnlyList<(string Name, long Width)> outputs, string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var inputs = new[] { OnnxProto.FloatValue(input, [null, channels, null, null], ["batch", "", "height", "width"]) };
        var outputValues = outputs.Select(o => OnnxProto.FloatValue(o.Name, [null, o.Width], ["batch", ""])).ToArray();
        return OnnxProto.Model(OnnxProto.Graph(graphName, _nodes, _initializers, inputs, outputValues), producerVersion, metadata);
    }

    /// <summary>Reserves a value name (the graph input's, before any node uses it).</summary>
    public string Reserve(string name) => Unique(name);

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }
}

using Dwf.Robustness.Onnx.Protobuf;
using static TorchSharp.torch;

namespace Dwf.Robustness.Onnx;

/// <summary>
/// The ONNX nodes of one of the library's CIFAR ResNets (ResNet-18, PreAct ResNet-18, ResNet-20 …), emitted from its
/// state dict and its normalization — the same computation as <c>Experts.ResNet.forward</c> in eval mode: (x − mean) / std,
/// the 3×3 stem, stages of basic or pre-activation blocks (the first block of every stage after the first has stride 2;
/// a 1×1 shortcut where the state dict has one), global average pooling and the linear head. BatchNorm runs on its
/// running statistics (ε = 1e-5, TorchSharp's).
/// </summary>
internal static class ResNetGraph
{
    private const float BatchNormEpsilon = 1e-5f;

    /// <summary>Emits the network on <paramref name="input"/>; returns the logits' value name.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <param name="weights">The network's state dict.</param>
    /// <param name="prefix">The keys' prefix inside a larger model (e.g. <c>experts.2.</c>), empty alone.</param>
    /// <param name="mean">Normalization means.</param>
    /// <param name="std">Normalization standard deviations.</param>
    public static string Emit(OnnxGraph graph, string input, IReadOnlyDictionary<string, Tensor> weights, string prefix, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        bool preActivation = weights.ContainsKey(prefix + "bn.weight");
        var h = Normalize(graph, input, prefix, mean, std);
        h = Conv(graph, h, weights, prefix + "conv1", stride: 1);
        if (!preActivation)
        {
            h = graph.Op("Relu", [BatchNorm(graph, h, weights, prefix + "bn1")]);
        }

        for (int stage = 1; weights.ContainsKey($"{prefix}layer{stage}.0.conv1.weight"); stage++)
        {
            for (int block = 0; weights.ContainsKey($"{prefix}layer{stage}.{block}.conv1.weight"); block++)
            {
                string at = $"{prefix}layer{stage}.{block}.";
                long stride = stage > 1 && block == 0 ? 2 : 1;
                h = preActivation ? PreActBlock(graph, h, weights, at, stride) : BasicBlock(graph, h, weights, at, stride);
            }
        }

        if (preActivation)
        {
            h = graph.Op("Relu", [BatchNorm(graph, h, weights, prefix + "bn")]);
        }

        h = graph.Op("Flatten", [graph.Op("GlobalAveragePool", [h])], OnnxProto.Attribute("axis", 1L));
        return graph.Op("Gemm", [h, graph.Weight(prefix + "linear.weight", weights[prefix + "linear.weight"]), graph.Weight(prefix + "linear.bias", weights[prefix + "linear.bias"])],
            OnnxProto.Attribute("transB", 1L));
    }

    /// <summary>(x − mean) / std per channel, as <c>InputNormalization</c>.</summary>
    public static string Normalize(OnnxGraph graph, string input, string prefix, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        long[] dims = [1, mean.Count, 1, 1];
        var m = graph.Constant(prefix + "normalize.mean", dims, mean.Select(v => (float)v).ToArray());
        var s = graph.Constant(prefix + "normalize.std", dims, std.Select(v => (float)v).ToArray());
        return graph.Op("Div", [graph.Op("Sub", [input, m]), s]);
    }

    /// <summary>A bias-free convolution whose kernel size comes from its weight (padding k / 2).</summary>
    public static string Conv(OnnxGraph graph, string h, IReadOnlyDictionary<string, Tensor> weights, string key, long stride)
    {
        var w = weights[key + ".weight"];
        long k = w.shape[2];
        return graph.Op("Conv", [h, graph.Weight(key + ".weight", w)],
            OnnxProto.Attribute("kernel_shape", new[] { k, k }), OnnxProto.Attribute("strides", new[] { stride, stride }),
            OnnxProto.Attribute("pads", new[] { k / 2, k / 2, k / 2, k / 2 }));
    }

    /// <summary>BatchNorm on its running statistics.</summary>
    public static string BatchNorm(OnnxGraph graph, string h, IReadOnlyDictionary<string, Tensor> weights, string key) =>
        graph.Op("BatchNormalization",
            [h, graph.Weight(key + ".weight", weights[key + ".weight"]), graph.Weight(key + ".bias", weights[key + ".bias"]),
             graph.Weight(key + ".running_mean", weights[key + ".running_mean"]), graph.Weight(key + ".running_var", weights[key + ".running_var"])],
            OnnxProto.Attribute("epsilon", BatchNormEpsilon));

    private static string BasicBlock(OnnxGraph graph, string x, IReadOnlyDictionary<string, Tensor> weights, string at, long stride)
    {
        var h = graph.Op("Relu", [BatchNorm(graph, Conv(graph, x, weights, at + "conv1", stride), weights, at + "bn1")]);
        h = BatchNorm(graph, Conv(graph, h, weights, at + "conv2", 1), weights, at + "bn2");
        var skip = weights.ContainsKey(at + "shortcut.0.weight")
            ? BatchNorm(graph, Conv(graph, x, weights, at + "shortcut.0", stride), weights, at + "shortcut.1")
            : x;
        return graph.Op("Relu", [graph.Op("Add", [h, skip])]);
    }

    private static string PreActBlock(OnnxGraph graph, string x, IReadOnlyDictionary<string, Tensor> weights, string at, long stride)
    {
        var pre = graph.Op("Relu", [BatchNorm(graph, x, weights, at + "bn1")]);
        var skip = weights.ContainsKey(at + "shortcut.0.weight") ? Conv(graph, pre, weights, at + "shortcut.0", stride) : x;
        var h = Conv(graph, pre, weights, at + "conv1", stride);
        h = Conv(graph, graph.Op("Relu", [BatchNorm(graph, h, weights, at + "bn2")]), weights, at + "conv2", 1);
        return graph.Op("Add", [h, skip]);
    }
}

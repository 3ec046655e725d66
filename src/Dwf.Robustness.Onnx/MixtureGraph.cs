using Dwf.Robustness.Moe;
using Dwf.Robustness.Onnx.Protobuf;
using static TorchSharp.torch;

namespace Dwf.Robustness.Onnx;

/// <summary>
/// The ONNX nodes of a <see cref="MixtureOfExperts"/>, the same computation as its <c>ForwardDetailed</c> in eval mode:
/// the soft gate's scores (its own normalization, three 3×3 convolutions with BatchNorm and ReLU at strides 1, 2, 2,
/// pooling, a linear layer), for a top-k gate only the k highest scores kept (the rest −∞), weights = softmax(scores / T);
/// every expert's logits stacked [B,E,K]; mixed as Σᵢ wᵢ·logitsᵢ (<see cref="MixtureMode.Logits"/>) or as
/// log Σᵢ wᵢ·softmax(logitsᵢ) computed as logsumexp(log max(w, 1e-30) + log_softmax) (<see cref="MixtureMode.Probabilities"/>).
/// </summary>
internal static class MixtureGraph
{
    /// <summary>Emits the mixture on <paramref name="input"/>; returns the logits' and the gate weights' value names.</summary>
    public static (string Logits, string GateWeights) Emit(OnnxGraph graph, string input, MixtureOfExperts mixture, IReadOnlyDictionary<string, Tensor> weights)
    {
        var (soft, prefix, k) = mixture.Gate switch
        {
            TopKGate { Inner: SoftGate inner } topK => (inner, "gate.inner.", (int?)topK.K),
            SoftGate gate => (gate, "gate.", null),
            var other => throw new NotSupportedException(
                $"The mixture's gate is a {other.GetType().Name}; ONNX export covers SoftGate and TopKGate over a SoftGate."),
        };
        var gateWeights = Gate(graph, input, soft, prefix, k, weights);
        var stacked = graph.Op("Concat",
            mixture.Experts.Select((e, i) => Unsqueeze(graph, Expert(graph, input, e.Module, $"experts.{i}.", weights), 1)).ToArray(),
            OnnxProto.Attribute("axis", 1L));
        var logits = mixture.Mode == MixtureMode.Logits
            ? graph.Op("ReduceSum", [graph.Op("Mul", [Unsqueeze(graph, gateWeights, 2), stacked]), graph.Int64Constant("axes_1", [1])], OnnxProto.Attribute("keepdims", 0L))
            : graph.Op("ReduceLogSumExp",
                [graph.Op("Add", [Unsqueeze(graph, graph.Op("Log", [graph.Op("Max", [gateWeights, graph.Constant("min_weight", [], [1e-30f])])]), 2),
                                  graph.Op("LogSoftmax", [stacked], OnnxProto.Attribute("axis", 2L))])],
                OnnxProto.Attribute("axes", new[] { 1L }), OnnxProto.Attribute("keepdims", 0L));
        return (logits, gateWeights);
    }

    private static string Expert(OnnxGraph graph, string input, nn.Module<Tensor, Tensor> module, string prefix, IReadOnlyDictionary<string, Tensor> weights) =>
        module is Experts.ResNet network
            ? ResNetGraph.Emit(graph, input, weights, prefix, network.Mean, network.Std)
            : throw new NotSupportedException($"Expert {prefix.TrimEnd('.')} is a {module.GetType().Name}; ONNX export covers the library's ResNets (ResNet18, PreActResNet18, CifarResNet).");

    private static string Gate(OnnxGraph graph, string input, SoftGate gate, string prefix, int? k, IReadOnlyDictionary<string, Tensor> weights)
    {
        var h = ResNetGraph.Normalize(graph, input, prefix, gate.Mean, gate.Std);
        foreach (var (conv, stride) in new[] { (0, 1L), (3, 2L), (6, 2L) })
        {
            h = ResNetGraph.Conv(graph, h, weights, $"{prefix}features.{conv}", stride);
            h = graph.Op("Relu", [ResNetGraph.BatchNorm(graph, h, weights, $"{prefix}features.{conv + 1}")]);
        }

        h = graph.Op("Flatten", [graph.Op("GlobalAveragePool", [h])], OnnxProto.Attribute("axis", 1L));
        var scores = graph.Op("Gemm", [h, graph.Weight(prefix + "scores.weight", weights[prefix + "scores.weight"]), graph.Weight(prefix + "scores.bias", weights[prefix + "scores.bias"])],
            OnnxProto.Attribute("transB", 1L));
        if (k is { } kept)
        {
            var top = graph.Ops("TopK", [scores, graph.Int64Constant("k", [kept])], 2, OnnxProto.Attribute("axis", 1L), OnnxProto.Attribute("largest", 1L), OnnxProto.Attribute("sorted", 1L));
            var minusInfinity = graph.Op("ConstantOfShape", [graph.Op("Shape", [scores])],
                OnnxProto.Attribute("value", OnnxProto.FloatTensor("minus_infinity", [1], [float.NegativeInfinity])));
            scores = graph.Op("ScatterElements", [minusInfinity, top[1], top[0]], OnnxProto.Attribute("axis", 1L));
        }

        var scaled = graph.Op("Div", [scores, graph.Constant("temperature", [], [(float)gate.Temperature])]);
        return graph.Op("Softmax", [scaled], OnnxProto.Attribute("axis", 1L));
    }

    private static string Unsqueeze(OnnxGraph graph, string value, long axis) =>
        graph.Op("Unsqueeze", [value, graph.Int64Constant($"axes_{axis}", [axis])]);
}

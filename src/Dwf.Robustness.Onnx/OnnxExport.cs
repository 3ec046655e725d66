using System.Globalization;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Onnx;

/// <summary>
/// Writes the library's models as ONNX files (IR 8, opset 17) that ONNX Runtime runs without libtorch: one float input
/// <c>images</c> [batch, 3, height, width] in [0,1] — the normalization is inside the graph, as it is inside the
/// model — and the output <c>logits</c> [batch, classes]. The graph is emitted from the model's state dict (eval-mode
/// BatchNorm on its running statistics), so what is exported is what the weights say; the parity tests compare ONNX
/// Runtime's logits with TorchSharp's. Files are written atomically.
/// </summary>
public static class OnnxExport
{
    /// <summary>Writes <paramref name="expert"/> to <paramref name="path"/>.</summary>
    /// <param name="expert">An expert whose module is one of the library's ResNets (<see cref="ResNet18"/>, <see cref="PreActResNet18"/>, <see cref="CifarResNet"/>).</param>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Image size and class names recorded for the service; defaults when null.</param>
    /// <exception cref="NotSupportedException">Another module, which this exporter cannot describe.</exception>
    public static void Save(IExpert expert, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] model = Serialize(expert, options);
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>The ONNX model of <paramref name="expert"/> as bytes (what <see cref="Save(IExpert, string, OnnxExportOptions?)"/> writes).</summary>
    /// <param name="expert">As <see cref="Save(IExpert, string, OnnxExportOptions?)"/>.</param>
    /// <param name="options">Image size and class names recorded for the service; defaults when null.</param>
    /// <returns>The serialized ModelProto.</returns>
    public static byte[] Serialize(IExpert expert, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(expert);
        if (expert.Module is not ResNet network)
        {
            throw new NotSupportedException(
                $"Expert '{expert.Name}' wraps a {expert.Module.GetType().Name}; ONNX export covers the library's ResNets (ResNet18, PreActResNet18, CifarResNet).");
        }

        options ??= new OnnxExportOptions();
        options.Validate(network.NumClasses);
        using var scope = NewDisposeScope();
        var weights = network.state_dict();
        var graph = new OnnxGraph();
        string input = graph.Reserve("images");
        var logits = graph.Name(ResNetGraph.Emit(graph, input, weights, "", network.Mean, network.Std), "logits");
        return graph.ToModel(expert.Name, input, network.Mean.Count, [(logits, network.NumClasses)], LibraryVersion, Metadata("expert", network.NumClasses, network.Mean, network.Std, [expert.Name], options));
    }

    /// <summary>
    /// Writes <paramref name="mixture"/> to <paramref name="path"/>: outputs <c>logits</c> [batch, classes] and
    /// <c>gate_weights</c> [batch, experts] (columns in the order of <c>dwf.experts</c>).
    /// </summary>
    /// <param name="mixture">A mixture of the library's ResNets with a <see cref="SoftGate"/> or a <see cref="TopKGate"/> over one, either mixing mode.</param>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Image size and class names recorded for the service; defaults when null.</param>
    /// <exception cref="NotSupportedException">Another gate or expert module.</exception>
    public static void Save(MixtureOfExperts mixture, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] model = Serialize(mixture, options);
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>The ONNX model of <paramref name="mixture"/> as bytes (what <see cref="Save(MixtureOfExperts, string, OnnxExportOptions?)"/> writes).</summary>
    /// <param name="mixture">As <see cref="Save(MixtureOfExperts, string, OnnxExportOptions?)"/>.</param>
    /// <param name="options">Image size and class names recorded for the service; defaults when null.</param>
    /// <returns>The serialized ModelProto.</returns>
    public static byte[] Serialize(MixtureOfExperts mixture, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        options ??= new OnnxExportOptions();
        options.Validate(mixture.NumClasses);
        using var scope = NewDisposeScope();
        var weights = mixture.state_dict();
        var graph = new OnnxGraph();
        string input = graph.Reserve("images");
        var (logits, gateWeights) = MixtureGraph.Emit(graph, input, mixture, weights);
        var first = (ResNet)mixture.Experts[0].Module;
        return graph.ToModel("mixture", input, first.Mean.Count,
            [(graph.Name(logits, "logits"), mixture.NumClasses), (graph.Name(gateWeights, "gate_weights"), mixture.Experts.Count)],
            LibraryVersion, Metadata("mixture", mixture.NumClasses, first.Mean, first.Std, mixture.Experts.Select(e => e.Name), options));
    }

    private static string LibraryVersion => typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>What a reader needs beside the graph: the kind, the class count, the normalization, the experts' names (the gate-weight columns of a mixture).</summary>
    internal static Dictionary<string, string> Metadata(string kind, int classes, IReadOnlyList<double> mean, IReadOnlyList<double> std, IEnumerable<string> experts, OnnxExportOptions options)
    {
        var metadata = new Dictionary<string, string>
        {
            ["dwf.kind"] = kind,
            ["dwf.classes"] = classes.ToString(CultureInfo.InvariantCulture),
            ["dwf.mean"] = string.Join(",", mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            ["dwf.std"] = string.Join(",", std.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            ["dwf.experts"] = string.Join(",", experts),
            ["dwf.image_size"] = options.ImageSize.ToString(CultureInfo.InvariantCulture),
        };
        if (options.ClassNames is { } names)
        {
            metadata["dwf.class_names"] = string.Join("\n", names);
        }

        return metadata;
    }
}

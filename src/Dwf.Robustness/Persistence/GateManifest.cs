using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Persistence;

/// <summary>Everything needed to rebuild a mixture's gate before its weights are loaded.</summary>
/// <param name="Type">Soft or top-k.</param>
/// <param name="Experts">Experts it scores.</param>
/// <param name="Width">Channels of its first stage.</param>
/// <param name="Temperature">Softmax temperature.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Mean">Input normalization means.</param>
/// <param name="Std">Input normalization standard deviations.</param>
/// <param name="K">Experts kept per sample for <see cref="GateType.TopK"/>; null for <see cref="GateType.Soft"/>.</param>
public sealed record GateManifest(
    GateType Type,
    int Experts,
    int Width,
    double Temperature,
    int Channels,
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> Std,
    int? K)
{
    /// <summary>Describes <paramref name="gate"/>.</summary>
    /// <param name="gate">A <see cref="SoftGate"/> or <see cref="TopKGate"/>.</param>
    /// <exception cref="NotSupportedException">A custom gate no manifest can rebuild.</exception>
    public static GateManifest Of(nn.Module<Tensor, Tensor> gate) => gate switch
    {
        SoftGate s => new GateManifest(GateType.Soft, s.Experts, s.Width, s.Temperature, s.Channels, s.Mean.ToArray(), s.Std.ToArray(), null),
        TopKGate t => Of(t.Inner) with { Type = GateType.TopK, K = t.K },
        _ => throw new NotSupportedException(
            $"The gate is a {gate.GetType().Name}, which a manifest cannot rebuild (supported: SoftGate, TopKGate). " +
            "Save the mixture's weights with ModelFile.Save and rebuild it in your code."),
    };

    /// <summary>A new gate with these settings and fresh weights.</summary>
    public nn.Module<Tensor, Tensor> Build()
    {
        var soft = new SoftGate(Experts, Width, Temperature, Channels, Mean, Std);
        return Type == GateType.TopK ? new TopKGate(soft, K!.Value) : soft;
    }

    internal void Validate(string file, int experts)
    {
        ManifestChecks.Require(Enum.IsDefined(Type), file, "gate.type", Type, $"one of {string.Join(", ", Enum.GetNames<GateType>())}");
        ManifestChecks.Require(Experts == experts, file, "gate.experts", Experts, $"the number of experts, {experts}");
        ManifestChecks.Require(Width is >= 1 and <= 4096, file, "gate.width", Width, "1 to 4096");
        ManifestChecks.Require(Temperature > 0 && double.IsFinite(Temperature), file, "gate.temperature", Temperature, "a finite number > 0");
        ManifestChecks.Require(Channels is >= 1 and <= 64, file, "gate.channels", Channels, "1 to 64");
        ManifestChecks.Require(Type == GateType.TopK ? K is >= 1 && K <= experts : K is null, file, "gate.k", K, Type == GateType.TopK ? $"1 to {experts}" : "absent for a soft gate");
        ManifestChecks.Normalization(Mean, Std, Channels, file, "gate");
    }
}

using static TorchSharp.torch;

namespace Dwf.Robustness.Routing;

/// <summary>A routed model's output: logits and the weight each sample gives each route.</summary>
/// <param name="Logits">[B,K].</param>
/// <param name="Weights">[B,E], non-negative, each row summing to 1 (one-hot for a hard selection).</param>
public sealed record RoutedOutput(Tensor Logits, Tensor Weights) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Logits.Dispose();
        Weights.Dispose();
    }
}

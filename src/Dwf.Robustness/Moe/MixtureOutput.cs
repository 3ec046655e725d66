using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// Everything a mixture computes in one forward pass. The tensors belong to the dispose scope that was current when
/// <see cref="MixtureOfExperts.ForwardDetailed"/> was called (or to the caller, outside any scope); disposing this
/// record disposes all three.
/// </summary>
/// <param name="Logits">Mixture output [B,K].</param>
/// <param name="GateWeights">Gate weights [B,E], each row summing to 1.</param>
/// <param name="ExpertLogits">Every expert's logits [B,E,K].</param>
public sealed record MixtureOutput(Tensor Logits, Tensor GateWeights, Tensor ExpertLogits) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Logits.Dispose();
        GateWeights.Dispose();
        ExpertLogits.Dispose();
    }
}

using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>
/// Everything a <see cref="SynergyOfExperts"/> computes in one pass, in the caller's dispose scope (disposing the
/// record disposes all four).
/// </summary>
/// <param name="ExpertLogits">[B,M,K] every expert's class logits.</param>
/// <param name="ConfidenceLogits">[B,M] every expert's confidence head before the sigmoid.</param>
/// <param name="SelectionScores">[B,M] max softmax × sigmoid(confidence): what the selection maximizes.</param>
/// <param name="Selected">int64 [B] the index of the selected expert.</param>
public sealed record SoeOutput(Tensor ExpertLogits, Tensor ConfidenceLogits, Tensor SelectionScores, Tensor Selected) : IDisposable
{
    /// <summary>The selected expert's logits [B,K] (gradients reach that expert, none reach the choice).</summary>
    public Tensor SelectedLogits()
    {
        using var scope = NewDisposeScope();
        long classes = ExpertLogits.shape[2];
        var index = Selected.view(-1, 1, 1).expand(-1, 1, classes);
        return ExpertLogits.gather(1, index).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ExpertLogits.Dispose();
        ConfidenceLogits.Dispose();
        SelectionScores.Dispose();
        Selected.Dispose();
    }
}

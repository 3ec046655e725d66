using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>Per-sample attack objectives on logits.</summary>
public static class AttackObjectives
{
    /// <summary>Computes <paramref name="loss"/> for every sample.</summary>
    /// <param name="loss">Which objective.</param>
    /// <param name="logits">[B,K].</param>
    /// <param name="labels">int64 [B].</param>
    /// <returns>[B]: higher means further from <paramref name="labels"/>.</returns>
    public static Tensor PerSample(AttackLoss loss, Tensor logits, Tensor labels) => loss switch
    {
        AttackLoss.CrossEntropy => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None),
        AttackLoss.CarliniWagnerMargin => CarliniWagnerMargin(logits, labels),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown attack loss."),
    };

    /// <summary>max over j ≠ label of z_j, minus z_label.</summary>
    /// <param name="logits">[B,K].</param>
    /// <param name="labels">int64 [B].</param>
    /// <returns>[B].</returns>
    public static Tensor CarliniWagnerMargin(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var index = labels.unsqueeze(1);
        var own = logits.gather(1, index).squeeze(1);
        var mask = zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, index, ones_like(index, dtype: ScalarType.Bool));
        var other = logits.masked_fill(mask, double.NegativeInfinity).amax(new long[] { 1 });
        return (other - own).MoveToOuterDisposeScope();
    }
}

using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>Per-sample attack objectives on logits.</summary>
public static class AttackObjectives
{
    /// <summary>The DLR denominators' guard against a zero spread of the top logits (AutoAttack's 1e-12).</summary>
    private const double DlrGuard = 1e-12;

    /// <summary>Computes <paramref name="loss"/> for every sample.</summary>
    /// <param name="loss">Which objective.</param>
    /// <param name="logits">[B,K].</param>
    /// <param name="labels">int64 [B].</param>
    /// <param name="targets">int64 [B] target classes; required by <see cref="AttackLoss.TargetedDifferenceOfLogitsRatio"/> only.</param>
    /// <returns>[B]: higher means further from <paramref name="labels"/> (for targeted DLR: closer to the target).</returns>
    public static Tensor PerSample(AttackLoss loss, Tensor logits, Tensor labels, Tensor? targets = null) => loss switch
    {
        AttackLoss.CrossEntropy => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None),
        AttackLoss.CarliniWagnerMargin => CarliniWagnerMargin(logits, labels),
        AttackLoss.DifferenceOfLogitsRatio => DifferenceOfLogitsRatio(logits, labels),
        AttackLoss.TargetedDifferenceOfLogitsRatio => TargetedDifferenceOfLogitsRatio(logits, labels,
            targets ?? throw new ArgumentNullException(nameof(targets), "The targeted DLR loss needs a target class per sample.")),
        AttackLoss.KullbackLeibler => throw new ArgumentException(
            "The KL loss compares with the model's clean prediction, which a per-sample label objective does not have; use TradesAttack, which computes it.", nameof(loss)),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown attack loss."),
    };

    /// <summary>The fewest classes <paramref name="loss"/> is defined for.</summary>
    /// <param name="loss">The objective.</param>
    public static int MinimumClasses(AttackLoss loss) => loss switch
    {
        AttackLoss.DifferenceOfLogitsRatio => 3,
        AttackLoss.TargetedDifferenceOfLogitsRatio => 4,
        _ => 2,
    };

    /// <summary>max over j ≠ label of z_j, minus z_label.</summary>
    /// <param name="logits">[B,K].</param>
    /// <param name="labels">int64 [B].</param>
    /// <returns>[B].</returns>
    public static Tensor CarliniWagnerMargin(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (own, other) = OwnAndBestOther(logits, labels);
        return (other - own).MoveToOuterDisposeScope();
    }

    /// <summary>−(z_y − max_{j≠y} z_j) / (z_π1 − z_π3 + 1e-12), π the classes sorted by logit, descending.</summary>
    /// <param name="logits">[B,K], K ≥ 3.</param>
    /// <param name="labels">int64 [B].</param>
    /// <returns>[B].</returns>
    public static Tensor DifferenceOfLogitsRatio(Tensor logits, Tensor labels)
    {
        RequireClasses(logits, 3, "DLR");
        using var scope = NewDisposeScope();
        var (own, other) = OwnAndBestOther(logits, labels);
        var sorted = logits.sort(1, descending: true).Values;
        var spread = sorted[.., 0] - sorted[.., 2] + DlrGuard;
        return (-(own - other) / spread).MoveToOuterDisposeScope();
    }

    /// <summary>−(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e-12), π the classes sorted by logit, descending.</summary>
    /// <param name="logits">[B,K], K ≥ 4.</param>
    /// <param name="labels">int64 [B]: true labels.</param>
    /// <param name="targets">int64 [B]: target classes.</param>
    /// <returns>[B].</returns>
    public static Tensor TargetedDifferenceOfLogitsRatio(Tensor logits, Tensor labels, Tensor targets)
    {
        RequireClasses(logits, 4, "targeted DLR");
        using var scope = NewDisposeScope();
        var own = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var target = logits.gather(1, targets.unsqueeze(1)).squeeze(1);
        var sorted = logits.sort(1, descending: true).Values;
        var spread = sorted[.., 0] - 0.5 * (sorted[.., 2] + sorted[.., 3]) + DlrGuard;
        return (-(own - target) / spread).MoveToOuterDisposeScope();
    }

    private static (Tensor Own, Tensor BestOther) OwnAndBestOther(Tensor logits, Tensor labels)
    {
        var index = labels.unsqueeze(1);
        var own = logits.gather(1, index).squeeze(1);
        var mask = zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, index, ones_like(index, dtype: ScalarType.Bool));
        var other = logits.masked_fill(mask, double.NegativeInfinity).amax(new long[] { 1 });
        return (own, other);
    }

    private static void RequireClasses(Tensor logits, int minimum, string loss)
    {
        if (logits.dim() != 2 || logits.shape[1] < minimum)
        {
            throw new ArgumentException(
                $"The {loss} loss needs logits [B,K] with K ≥ {minimum}; got shape [{string.Join(",", logits.shape)}]. Use cross-entropy or the CW margin for fewer classes.",
                nameof(logits));
        }
    }
}

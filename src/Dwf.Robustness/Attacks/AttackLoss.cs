namespace Dwf.Robustness.Attacks;

/// <summary>The objective an attack ascends (untargeted) or descends (targeted).</summary>
public enum AttackLoss
{
    /// <summary>Cross-entropy of the logits with the label.</summary>
    CrossEntropy,

    /// <summary>
    /// Carlini–Wagner margin on logits: max over other classes of z_j minus z_label. Insensitive to logit
    /// scaling, so it resists one common form of gradient masking.
    /// </summary>
    CarliniWagnerMargin,

    /// <summary>
    /// Difference of Logits Ratio (Croce and Hein, 2020): −(z_y − max_{j≠y} z_j) / (z_π1 − z_π3), with π the classes
    /// sorted by logit. Invariant to shifting and scaling the logits. Needs at least 3 classes.
    /// </summary>
    DifferenceOfLogitsRatio,

    /// <summary>
    /// Targeted DLR: −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2) for a target class t. Needs at least 4 classes and a
    /// target per sample; used by APGD-T, which picks the targets itself.
    /// </summary>
    TargetedDifferenceOfLogitsRatio,

    /// <summary>
    /// KL(p(x) ‖ p(x′)) between the model's prediction on the clean image and on the candidate: TRADES's inner
    /// maximization (<see cref="TradesAttack"/>). It needs the clean prediction, not a label, so only
    /// <see cref="TradesAttack"/> uses it.
    /// </summary>
    KullbackLeibler,
}

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
}

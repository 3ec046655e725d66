namespace Dwf.Robustness.Training;

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>Cosine decay from the base rate to 0 over all steps (after the warm-up). Our default; the paper does not say.</summary>
    Cosine,

    /// <summary>The base rate throughout (after the warm-up).</summary>
    Constant,

    /// <summary>
    /// One cycle (Smith and Topin, 2019; PyTorch's <c>OneCycleLR</c> with cosine annealing): over the warm-up the rate
    /// rises from base/25 to the base rate along a half cosine, then falls along a half cosine to base/(25·10⁴).
    /// Unlike PyTorch's default, momentum is not cycled. The warm-up length is
    /// <see cref="OptimizerOptions.WarmupEpochs"/> (PyTorch's <c>pct_start</c> 0.3 ⇒ 0.3 × epochs).
    /// </summary>
    OneCycle,
}

namespace Dwf.Robustness.Training;

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>Cosine decay from the base rate to 0 over all steps (after the warm-up). Our default; the paper does not say.</summary>
    Cosine,

    /// <summary>The base rate throughout (after the warm-up).</summary>
    Constant,
}

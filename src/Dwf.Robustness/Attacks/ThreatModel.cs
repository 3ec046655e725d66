namespace Dwf.Robustness.Attacks;

/// <summary>The norm that bounds a perturbation. Its geometry (projection, random start, steepest step) is <see cref="Norms.NormBall.For"/>.</summary>
public enum ThreatModel
{
    /// <summary>‖δ‖∞ ≤ ε: every pixel value moves by at most ε.</summary>
    Linf,

    /// <summary>‖δ‖₂ ≤ ε over all C·H·W values of an image (RobustBench's CIFAR-10 L2 budget is 0.5).</summary>
    L2,
}
